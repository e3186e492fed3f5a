/** The workbench: filters and status counts above, the queue and the map side by side, the case drawer. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Empty, Result, Spin } from 'antd';
import { ApiError } from '../shared/api.js';
import { CaseDrawer } from './CaseDrawer.js';
import { CaseList } from './CaseList.js';
import { CaseMap, type MapHandle } from './CaseMap.js';
import { countEvents, listEvents, me as getMe, scopeArea } from './client.js';
import { FilterBar } from './FilterBar.js';
import { useLive } from './live.js';
import { StatusTabs } from './StatusTabs.js';
import type { Counts, EventView, Filters, Me, OrgUnit } from './types.js';
import { errText, isNetwork } from './util.js';

const PAGE = 50;

function caseFromUrl(): number | null {
  const v = new URLSearchParams(location.search).get('case');
  return v && /^\d{1,15}$/.test(v) ? Number(v) : null;
}

export function Workbench({ onLive, onSignedOut, onWho }: { onLive: (live: boolean) => void; onSignedOut: () => void; onWho: (me: Me, area: OrgUnit) => void }) {
  const { t, i18n } = useTranslation();
  const [who, setWho] = useState<{ me: Me; area: OrgUnit } | null>(null);
  const [whoError, setWhoError] = useState<unknown>(null);

  const loadWho = useCallback(async () => {
    setWhoError(null);
    try {
      const m = await getMe();
      const area = await scopeArea(m);
      setWho({ me: m, area });
      onWho(m, area);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) return onSignedOut();
      setWhoError(e);
    }
  }, [onSignedOut, onWho]);
  useEffect(() => { void loadWho(); }, [loadWho]);

  if (whoError !== null) {
    return <Result status="warning" title={errText(whoError, i18n.language)} extra={<Button type="primary" onClick={() => void loadWho()}>{t('common.retry')}</Button>} />;
  }
  if (!who) return <div className="console-center"><Spin size="large" /></div>;
  return <Queue area={who.area} onLive={onLive} onSignedOut={onSignedOut} />;
}

function Queue({ area, onLive, onSignedOut }: { area: OrgUnit; onLive: (live: boolean) => void; onSignedOut: () => void }) {
  const { t, i18n } = useTranslation();
  const [filters, setFilters] = useState<Filters>({});
  const [items, setItems] = useState<EventView[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [counts, setCounts] = useState<Counts | null>(null);
  const [loading, setLoading] = useState(true);
  const [more, setMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [active, setActive] = useState(0);
  const [openId, setOpenId] = useState<number | null>(caseFromUrl);
  /** the case last opened: highlighted on the map after the drawer closes */
  const [focusId, setFocusId] = useState<number | null>(openId);
  const [mapKey, setMapKey] = useState(0);
  const [changedKey, setChangedKey] = useState(0);
  const mapRef = useRef<MapHandle>(null);
  const seq = useRef(0);
  const state = useRef({ filters, count: items.length, openId });
  state.current = { filters, count: items.length, openId };

  const fail = useCallback((e: unknown) => {
    if (e instanceof ApiError && e.status === 401) onSignedOut();
    else setError(e);
  }, [onSignedOut]);

  /** The first page again (with as many rows as were shown, for a live refresh) and the counts. */
  const reload = useCallback(async (f: Filters, keep = PAGE, quiet = false) => {
    const n = ++seq.current;
    if (!quiet) setLoading(true);
    try {
      const [list, c] = await Promise.all([listEvents(f, undefined, Math.min(200, Math.max(PAGE, keep))), countEvents(f)]);
      if (n !== seq.current) return;
      setItems(list.items);
      setNext(list.nextCursor);
      setCounts(c);
      setError(null);
    } catch (e) {
      if (n === seq.current) fail(e);
    } finally {
      if (n === seq.current) setLoading(false);
    }
  }, [fail]);

  useEffect(() => {
    setActive(0);
    void reload(filters);
  }, [filters, reload]);

  const loadMore = async () => {
    if (!next) return;
    const n = seq.current;
    setMore(true);
    try {
      const page = await listEvents(filters, next, PAGE);
      if (n !== seq.current) return;
      setItems((xs) => [...xs, ...page.items.filter((e) => !xs.some((x) => x.id === e.id))]);
      setNext(page.nextCursor);
    } catch (e) {
      fail(e);
    } finally {
      setMore(false);
    }
  };

  useLive((ids) => {
    const s = state.current;
    void reload(s.filters, s.count, true);
    setMapKey((k) => k + 1);
    if (s.openId !== null && (ids === 'reset' || ids.has(s.openId))) setChangedKey((k) => k + 1);
  }, onLive);

  const open = useCallback((id: number) => {
    setOpenId(id);
    setFocusId(id);
    const u = new URL(location.href);
    u.searchParams.set('case', String(id));
    history.replaceState(null, '', u);
  }, []);
  const close = useCallback(() => {
    setOpenId(null);
    const u = new URL(location.href);
    u.searchParams.delete('case');
    history.replaceState(null, '', u);
    requestAnimationFrame(() => document.querySelector<HTMLElement>('.console-list')?.focus());
  }, []);

  const network = isNetwork(error);
  return (
    <main className="console-main">
      <FilterBar area={area} filters={filters} onChange={setFilters} />
      <StatusTabs counts={counts} status={filters.status} onChange={(status) => setFilters((f) => ({ ...f, status }))} />
      <div className="console-split">
        <section className="console-queue" aria-label={t('list.title')} aria-busy={loading}>
          <div className="console-queue-head">
            <h2>{t('list.title')}</h2>
            <span className="console-muted" data-testid="shown">{!error && t('list.shown', { n: items.length })}</span>
          </div>
          {error !== null ? (
            <Result
              status={network ? 'warning' : 'error'} title={t('list.error')} subTitle={errText(error, i18n.language)} data-testid="list-error"
              extra={<Button type="primary" onClick={() => void reload(filters)} loading={loading}>{t('common.retry')}</Button>}
            />
          ) : loading && !items.length ? (
            <div className="console-center"><Spin /></div>
          ) : !items.length ? (
            <Empty description={t('list.empty')} data-testid="list-empty" />
          ) : (
            <div className="console-queue-body">
              <Spin spinning={loading}>
                <CaseList
                  items={items} active={active} openId={openId} onActive={setActive} onOpen={open} onEscape={() => openId !== null && close()}
                />
              </Spin>
              {next && <Button block onClick={() => void loadMore()} loading={more} style={{ marginTop: 8 }}>{t('list.more')}</Button>}
            </div>
          )}
        </section>
        <CaseMap ref={mapRef} rootCode={area.code} filters={filters} refreshKey={mapKey} openId={focusId} onOpen={open} />
      </div>
      <CaseDrawer
        id={openId} scope={area} changedKey={changedKey} onClose={close} onOpen={open}
        onChanged={() => { void reload(filters, items.length, true); setMapKey((k) => k + 1); }}
        onLocate={(id, lon, lat) => { close(); mapRef.current?.locate(id, lon, lat); }}
      />
    </main>
  );
}
