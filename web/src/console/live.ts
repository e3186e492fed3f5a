/**
 * Live changes: the case stream (Server-Sent Events, GET /api/v1/events/stream) of the
 * operator's area. `onChange` hears which cases changed, batched and debounced; `onState` whether
 * the stream is connected (EventSource reconnects by itself, resuming from Last-Event-ID).
 */
import { useEffect, useRef } from 'react';

export interface Change { id: number; eventId: number; action: string; from: string | null; to: string; at: string }

export function useLive(onChange: (ids: Set<number> | 'reset') => void, onState: (connected: boolean) => void, debounceMs = 800) {
  const handlers = useRef({ onChange, onState });
  handlers.current = { onChange, onState };
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const es = new EventSource('/api/v1/events/stream');
    let pending: Set<number> | 'reset' = new Set();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const flush = () => {
      const batch = pending;
      pending = new Set();
      handlers.current.onChange(batch);
    };
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(flush, debounceMs);
    };
    es.addEventListener('open', () => handlers.current.onState(true));
    es.addEventListener('error', () => handlers.current.onState(false));
    es.addEventListener('change', (m) => {
      try {
        const c = JSON.parse((m as MessageEvent<string>).data) as Change;
        if (pending !== 'reset') pending.add(c.eventId);
      } catch { /* a malformed row: ignore it */ }
      schedule();
    });
    es.addEventListener('reset', () => {
      pending = 'reset';
      schedule();
    });
    return () => {
      clearTimeout(timer);
      es.close();
    };
  }, [debounceMs]);
}
