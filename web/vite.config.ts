/**
 * The web pages: one Vite build, one entry per user (each ships only its own code), served by
 * the Fastify server from dist-web/. `npm run dev` proxies the API to a running server.
 */
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { resolve } from 'node:path';

const root = __dirname;
const pages = ['report', 'worker', 'console', 'dashboard', 'admin'];

/** What every page's HTML shares, said once: each <page>.html keeps its language, title, root and script. */
const sharedHtml: Plugin = {
  name: 'pingan-shared-html',
  transformIndexHtml: () => [
    { tag: 'meta', attrs: { charset: 'UTF-8' }, injectTo: 'head-prepend' },
    { tag: 'meta', attrs: { name: 'viewport', content: 'width=device-width, initial-scale=1, viewport-fit=cover' }, injectTo: 'head-prepend' },
    { tag: 'meta', attrs: { name: 'theme-color', content: '#1677ff' }, injectTo: 'head-prepend' },
    { tag: 'noscript', children: '请启用 JavaScript / Please enable JavaScript', injectTo: 'body' },
  ],
};

export default defineConfig({
  root,
  base: '/',
  plugins: [react(), sharedHtml],
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
