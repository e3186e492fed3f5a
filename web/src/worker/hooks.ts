/** Small shared pieces of the worker app: the sync state, hash routes, dates, loading with a cache. */
import { useCallback, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../shared/api.js';
import { sync } from './sync.js';
import { cacheGet, cachePut } from './store.js';
import { localTime } from '../shared/time.js';

export const useSync = () => useSyncExternalStore(sync.subscribe, sync.getSnapshot);

/** #/tasks, #/case/12, #/patrol, #/sync */
export function useRoute(): string[] {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const f = () => setHash(location.hash);
    window.addEventListener('hashchange', f);
    return () => window.removeEventListener('hashchange', f);
  }, []);
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  return parts.length ? parts : ['tasks'];
}
export const go = (path: string) => { location.hash = path; };

export function useFormat() {
  const { i18n } = useTranslation();
  const en = i18n.language === 'en';
  const time = (iso: string | number | null | undefined) => localTime(iso, i18n.language, 'short');
  return { en, time, say: (m: { zh: string; en: string }) => (en ? m.en : m.zh) };
}

export const isNetwork = (e: unknown) => e instanceof ApiError && e.status === 0;

export interface Loaded<T> { value: T; at: number; cached: boolean }

/**
 * Loads from the API and keeps the answer on the device; offline, shows what was kept. The cached
 * copy shows first so the page is never blank while the network is slow. `reload` resolves when done.
 */
export function useCachedLoad<T>(uid: number, key: string, fetcher: () => Promise<T>) {
  type S = { key: string; data: Loaded<T> | null; error: unknown; loading: boolean };
  const [state, setState] = useState<S>({ key, data: null, error: null, loading: true });
  const fetchRef = useRef(fetcher);
  fetchRef.current = fetcher;
  const load = useCallback(async () => {
    setState((s) => (s.key === key ? { ...s, loading: true } : { key, data: null, error: null, loading: true }));
    const c = await cacheGet<T>(uid, key).catch(() => undefined);
    if (c) setState((s) => (s.key === key && !s.data ? { ...s, data: { value: c.value, at: c.at, cached: true } } : s));
    try {
      const v = await fetchRef.current();
      sync.network(true);
      await cachePut(uid, key, v).catch(() => undefined);
      setState((s) => (s.key === key ? { key, data: { value: v, at: Date.now(), cached: false }, error: null, loading: false } : s));
    } catch (e) {
      if (isNetwork(e)) sync.network(false);
      if (e instanceof ApiError && e.status === 401) sync.sessionExpired();
      setState((s) => (s.key === key ? { key, data: s.data ? { ...s.data, cached: true } : null, error: e, loading: false } : s));
    }
  }, [uid, key]);
  useEffect(() => { void load(); }, [load]);
  const shown: S = state.key === key ? state : { key, data: null, error: null, loading: true };
  return {
    ...shown, reload: load,
    /** Applies an answer the app already has (a synced action's case) without waiting for a reload. */
    merge: (fn: (v: T) => T) => setState((s) => (s.key === key && s.data ? { ...s, data: { ...s.data, value: fn(s.data.value) } } : s)),
    set: (v: T) => { setState({ key, data: { value: v, at: Date.now(), cached: false }, error: null, loading: false }); void cachePut(uid, key, v).catch(() => undefined); },
  };
}
