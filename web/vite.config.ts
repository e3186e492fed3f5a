/**
 * The web pages: one Vite build, one entry per user (each ships only its own code), served by
 * the Fastify server from dist-web/. `npm run dev` proxies the API to a running server.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';

const root = __dirname;
const pages = ['report', 'worker', 'console', 'dashboard', 'admin'];

export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: resolve(root, '../dist-web'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: {
        ...Object.fromEntries(pages.map((p) => [p, resolve(root, `${p}.html`)])),
        // the grid worker's service worker: a fixed name at the root (served as /worker-sw.js)
        'worker-sw': resolve(root, 'src/worker/sw.ts'),
      },
      output: { entryFileNames: (chunk) => (chunk.name === 'worker-sw' ? 'worker-sw.js' : 'assets/[name]-[hash].js') },
    },
  },
  server: {
    port: 5173,
    proxy: { '/api': 'http://127.0.0.1:3000', '/open311': 'http://127.0.0.1:3000' },
  },
});
