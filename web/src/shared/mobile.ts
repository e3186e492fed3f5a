/**
 * antd-mobile's imperative Toast and Dialog render outside the React tree; on React 19 they need
 * a createRoot-based renderer (antd-mobile's documented unstableSetRender). Import this once in
 * every page that uses antd-mobile.
 */
import { unstableSetRender } from 'antd-mobile';
import { createRoot, type Root } from 'react-dom/client';

unstableSetRender((node, container) => {
  const el = container as Element & { _pinganRoot?: Root };
  el._pinganRoot ??= createRoot(el);
  el._pinganRoot.render(node);
  return async () => {
    await new Promise((r) => setTimeout(r, 0));
    el._pinganRoot?.unmount();
    delete el._pinganRoot;
  };
});
