/**
 * /worker: the grid worker's phone app. My tasks by deadline, sign / return / extension / report
 * handled with photos, patrol reports; works offline (IndexedDB queue, service worker app shell).
 */
import { createRoot, type Root } from 'react-dom/client';
import { unstableSetRender } from 'antd-mobile';
import { setupI18n } from '../shared/i18n.js';
import { App } from './App.js';
import { zh, en } from './texts.js';
import './worker.css';

setupI18n(zh, en);

// antd-mobile's Toast and Dialog render outside the tree: give them React 19's root API
unstableSetRender((node, container) => {
  const c = container as (Element | DocumentFragment) & { _root?: Root };
  c._root ??= createRoot(container);
  c._root.render(node);
  return async () => {
    await new Promise((r) => setTimeout(r, 0));
    c._root?.unmount();
    delete c._root;
  };
});

// the app shell for offline use (built to /worker-sw.js; not in the dev server)
if ('serviceWorker' in navigator && import.meta.env.PROD) {
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/worker-sw.js', { scope: '/worker' }).catch((e: unknown) => console.warn('service worker', e));
  });
}

createRoot(document.getElementById('root')!).render(<App />);
