// Gzipped size of the JavaScript (and CSS) each built page loads at start: its entry script and
// every chunk Vite preloads for it (dist-web/<page>.html). `node scripts/page-size.mjs [page…]`
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const dir = path.resolve(process.argv.includes('--dir') ? process.argv[process.argv.indexOf('--dir') + 1] : 'dist-web');
const pages = process.argv.slice(2).filter((a) => !a.startsWith('--') && a !== dir) ;
const list = pages.length ? pages : fs.readdirSync(dir).filter((f) => f.endsWith('.html')).map((f) => f.slice(0, -5));

export function pageSize(page) {
  const html = fs.readFileSync(path.join(dir, `${page}.html`), 'utf8');
  const refs = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.(?:js|css))"/g)].map((m) => m[1]);
  const seen = new Set();
  const queue = [...refs];
  while (queue.length) {
    const f = queue.shift();
    if (seen.has(f)) continue;
    seen.add(f);
    if (f.endsWith('.js')) {
      const code = fs.readFileSync(path.join(dir, f), 'utf8');
      for (const m of code.matchAll(/(?:^|[;\s])import\s*(?:[^'"]*?from\s*)?["']\.\/([^"']+\.js)["']/g)) queue.push(`assets/${m[1]}`);
    }
  }
  let js = 0, css = 0;
  for (const f of seen) {
    const gz = zlib.gzipSync(fs.readFileSync(path.join(dir, f)), { level: 9 }).length;
    if (f.endsWith('.js')) js += gz; else css += gz;
  }
  return { page, files: seen.size, jsGzipKB: +(js / 1024).toFixed(1), cssGzipKB: +(css / 1024).toFixed(1) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const p of list) console.log(JSON.stringify(pageSize(p)));
}
