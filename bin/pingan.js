#!/usr/bin/env node
// The `pingan` command: runs the compiled CLI (npm install builds it; `npm run build` rebuilds).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error('pingan is not built yet: run `npm run build` (npm install does it for you).');
  process.exit(1);
}
await import(entry.href);
