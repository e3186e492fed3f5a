/**
 * The live feed: case changes over Server-Sent Events (GET /api/v1/events/stream). EventSource
 * reconnects by itself (with Last-Event-ID); when the server refuses (signed out, too many
 * streams) it stays closed, and we try again after a pause.
 */
import { useEffect, useRef, useState } from 'react';
import { caseBrief, recentCases, type CaseBrief, type Change } from './data.js';

export type FeedState = 'connecting' | 'live' | 'lost';
export interface FeedItem { change: Change; brief: CaseBrief | null }

const KEEP = 40;

/** `ready`: the first render is done, so the latest cases may be read for the list (not before: they are a slow query). */
export function useFeed(onChange: () => void, onReset: () => void, ready: boolean) {
  const [items, setItems] = useState<FeedItem[]>([]);
  const [state, setState] = useState<FeedState>('connecting');
  const cb = useRef({ onChange, onReset });
  cb.current = { onChange, onReset };

  useEffect(() => {
    let es: EventSource | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const briefs = new Map<number, Promise<CaseBrief | null>>();
    let pending = 0;

    const enrich = (c: Change) => {
      // the case's category and place; skipped under a burst (the feed still shows the change)
      if (!briefs.has(c.eventId)) {
        if (pending >= 6) return;
        pending++;
        briefs.set(c.eventId, caseBrief(c.eventId).catch(() => null).finally(() => { pending--; }));
        if (briefs.size > 200) briefs.delete(briefs.keys().next().value!);
      }
      void briefs.get(c.eventId)!.then((brief) => {
        if (brief) setItems((list) => list.map((x) => (x.change.id === c.id ? { ...x, brief } : x)));
      });
    };

    const connect = () => {
      setState('connecting');
      es = new EventSource('/api/v1/events/stream');
      es.onopen = () => setState('live');
      es.onerror = () => {
        if (es?.readyState === EventSource.CLOSED) {
          setState('lost');
          es = null;
          if (!stopped) retry = setTimeout(connect, 10_000);
        } else setState('connecting');
      };
      es.addEventListener('change', (e) => {
        const c = JSON.parse((e as MessageEvent<string>).data) as Change;
        // a live change replaces the snapshot of its case from the prefill
        setItems((list) => (list.some((x) => x.change.id === c.id) ? list
          : [{ change: c, brief: null }, ...list.filter((x) => !(x.change.action === 'recent' && x.change.eventId === c.eventId))].slice(0, KEEP)));
        enrich(c);
        cb.current.onChange();
      });
      es.addEventListener('reset', () => cb.current.onReset());
    };
    connect();
    return () => { stopped = true; clearTimeout(retry); es?.close(); };
  }, []);

  // until changes arrive: the latest cases, as they stand now (after any live ones)
  const prefilled = useRef(false);
  useEffect(() => {
    if (!ready || prefilled.current) return;
    prefilled.current = true;
    recentCases(12).then((list) => {
      setItems((live) => {
        const seen = new Set(live.map((x) => x.change.eventId));
        const recent = list.filter((e) => !seen.has(e.id)).map((e) => ({ change: { id: -e.id, eventId: e.id, action: 'recent', from: null, to: e.status, at: e.updatedAt, countyCode: '' }, brief: e }));
        return [...live, ...recent].slice(0, KEEP);
      });
    }).catch(() => undefined);
  }, [ready]);

  return { items, state };
}

/** Calls `fn` once things go quiet for `wait` ms, and at least every `maxWait` ms while they do not. */
export function debounce(fn: () => void, wait: number, maxWait: number) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let first = 0;
  const run = () => { clearTimeout(timer); timer = undefined; first = 0; fn(); };
  const call = () => {
    const now = Date.now();
    if (!first) first = now;
    clearTimeout(timer);
    timer = setTimeout(run, Math.max(0, Math.min(wait, first + maxWait - now)));
  };
  call.cancel = () => clearTimeout(timer);
  return call;
}
