/**
 * The grid worker's service worker (built to /worker-sw.js, scope /worker): keeps the app shell
 * so /worker opens without a connection.
 *
 * - /worker (the page): network first, so a new build is picked up at once; offline (or after 4 s
 *   of a weak signal) the last copy. On install the page is fetched and every /assets/ file it
 *   names is stored, so the first offline start works.
 * - /assets/*: cache first (the names are content hashes); stored as they are loaded, which also
 *   catches chunks loaded on demand.
 * - photo thumbnails of cases: cache first, in a cache the app deletes at sign-out.
 * - everything else (the API) goes to the network: the app keeps its own data in IndexedDB.
 *
 * Self-contained on purpose (no imports): it is one classic script.
 */
declare const self: ServiceWorkerGlobalScope;
export {};

const SHELL = 'pingan-worker-shell-v1';
const PHOTOS = 'pingan-worker-photos';
const PAGE = '/worker';
const WAIT_MS = 4000;

function assetsOf(html: string): string[] {
  const found = new Set<string>();
  for (const m of html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)) found.add(m[1]);
  return [...found];
}

async function storePage(res: Response): Promise<void> {
  const cache = await caches.open(SHELL);
  const html = await res.clone().text();
  await cache.put(PAGE, res);
  // the page's own files, if not there yet (a new build names new files)
  const missing: string[] = [];
  for (const url of assetsOf(html)) if (!(await cache.match(url))) missing.push(url);
  await cache.addAll(missing);
}

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const res = await fetch(PAGE, { cache: 'no-cache', credentials: 'same-origin' });
    if (res.ok) await storePage(res);
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) if (name.startsWith('pingan-worker-shell') && name !== SHELL) await caches.delete(name);
    await self.clients.claim();
  })());
});

async function page(request: Request): Promise<Response> {
  const network = fetch(request).then(async (res) => {
    if (res.ok) await storePage(res.clone()).catch(() => undefined);
    return res;
  });
  network.catch(() => undefined); // answered from the cache meanwhile: a late failure is no error
  const timeout = new Promise<null>((r) => setTimeout(() => r(null), WAIT_MS));
  try {
    const first = await Promise.race([network, timeout]);
    if (first) return first;
    const cached = await caches.match(PAGE);
    return cached ?? (await network);
  } catch {
    const cached = await caches.match(PAGE);
    if (cached) return cached;
    return new Response('<!doctype html><meta charset="utf-8"><title>离线 Offline</title><p>网络已断开，且本机尚未保存网格员应用。请联网后打开。<br>Offline, and the app is not saved on this phone yet: open it once online.</p>', { status: 503, headers: { 'content-type': 'text/html; charset=utf-8' } });
  }
}

async function cacheFirst(request: Request, cacheName: string): Promise<Response> {
  const cache = await caches.open(cacheName);
  const hit = await cache.match(request);
  if (hit) return hit;
  const res = await fetch(request);
  if (res.ok) await cache.put(request, res.clone()).catch(() => undefined);
  return res;
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.mode === 'navigate' && (url.pathname === PAGE || url.pathname.startsWith(`${PAGE}/`))) event.respondWith(page(req));
  else if (url.pathname.startsWith('/assets/')) event.respondWith(cacheFirst(req, SHELL));
  else if (/^\/api\/v1\/photos\/[A-Za-z0-9_-]{24}\/thumb$/.test(url.pathname)) event.respondWith(cacheFirst(req, PHOTOS));
});
