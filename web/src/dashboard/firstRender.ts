/**
 * The first render, measured with the Performance API: the mark `dashboard-<part>` when a part is
 * first drawn with its data, and `dashboard-ready` once every part is (the browser tests and
 * `npm run bench -- dashboard` wait for it). Marked in the next animation frame, when the drawing
 * is about to be shown.
 */
import { useCallback, useRef, useState } from 'react';

export function useFirstRender<P extends string>(parts: readonly P[]): { drawn: (part: P) => void; ready: boolean } {
  const left = useRef(new Set<P>(parts));
  const [ready, setReady] = useState(false);
  const drawn = useCallback((part: P) => {
    if (!left.current.delete(part)) return;
    const last = left.current.size === 0;
    requestAnimationFrame(() => {
      performance.mark(`dashboard-${part}`);
      if (!last) return;
      performance.mark('dashboard-ready');
      setReady(true);
    });
  }, []);
  return { drawn, ready };
}
