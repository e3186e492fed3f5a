/**
 * The command dashboard for one org unit: indicators, trend, categories, the map with cases and
 * a heat fill by sub-area, the live feed. Drill down by the map, the sub-area list or the
 * breadcrumb; the live feed refreshes the figures (debounced).
 */
import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Alert, Button, Result, Segmented, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError, logout, type SessionUser } from '../shared/api.js';
import { switchLanguage } from '../shared/i18n.js';
import { categories, childCounts, indicators, points, series, type CasePoint, type Category, type Indicators, type SeriesPoint } from './data.js';
import { DEFAULT_PERIOD, PERIODS, periodOf, type PeriodKey } from './period.js';
import { Kpis } from './Kpis.js';
import { MapView, heatColor, type Child } from './mapview.js';
import { debounce, useFeed } from './feed.js';
import { LiveFeed } from './LiveFeed.js';
import { clock } from './format.js';
import { useFirstRender } from './firstRender.js';

/** A step of the drill-down; `leaf`: an area with nothing below (a grid), shown by its figures while the map keeps its siblings. */
interface Crumb { code: string; name: string; leaf?: boolean }
// ECharts is part of the first render: its code is asked for at once, beside the first figures
const charts = import('./charts.js');
const TrendChart = lazy(() => charts.then((m) => ({ default: m.TrendChart })));
const CategoryChart = lazy(() => charts.then((m) => ({ default: m.CategoryChart })));
/** What the first render draws (each marked when drawn with its data; `dashboard-ready` once all are). */
const PARTS = ['kpis', 'areas', 'heat', 'points', 'trend', 'categories'] as const;

function say(e: unknown, lang: string) {
  return e instanceof ApiError ? e.say(lang) : String(e);
}

export function Dashboard({ user, onSignedOut }: { user: SessionUser; onSignedOut: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [periodKey, setPeriodKey] = useState<PeriodKey>(DEFAULT_PERIOD);
  const [tick, setTick] = useState(0);
  const period = useMemo(() => periodOf(periodKey), [periodKey, tick]); // eslint-disable-line react-hooks/exhaustive-deps
  const [trail, setTrail] = useState<Crumb[]>([]);
  const org = trail.length ? trail[trail.length - 1] : null;

  const [ind, setInd] = useState<Indicators | null>(null);
  const [indError, setIndError] = useState<unknown>(null);
  const [trend, setTrend] = useState<SeriesPoint[] | null>(null);
  const [trendError, setTrendError] = useState<unknown>(null);
  const [cats, setCats] = useState<Map<string, Category>>(new Map());
  const [updated, setUpdated] = useState<string | null>(null);

  const view = useRef<MapView | null>(null);
  /** The area whose children the map shows, and those children. */
  const [shown, setShown] = useState<string | null>(null);
  const [children, setChildren] = useState<Child[]>([]);
  const [heat, setHeat] = useState<{ code: string; counts: Map<string, number> } | null>(null);
  const [counts, setCounts] = useState<Map<string, number> | null>(null);
  const [mapError, setMapError] = useState<unknown>(null);
  const [mapDrawn, setMapDrawn] = useState(false);
  const [cases, setCases] = useState<CasePoint[] | null>(null);
  const { drawn, ready } = useFirstRender(PARTS);

  const signedOut = useRef(onSignedOut);
  signedOut.current = onSignedOut;
  const expired = useCallback((e: unknown) => {
    if (e instanceof ApiError && e.status === 401) signedOut.current();
  }, []);

  // --- the figures of the area and period; at the top the query names no org (the server answers with
  // the user's own area), so learning that area's name changes nothing to fetch
  const query = trail.length > 1 ? trail[trail.length - 1].code : undefined;
  useEffect(() => {
    let live = true;
    indicators(query, period.from, period.to).then((r) => {
      if (!live) return;
      setInd(r);
      setIndError(null);
      setUpdated(new Date().toISOString());
      setTrail((prev) => (prev.length ? prev : [{ code: r.org.code, name: r.org.name }]));
    }).catch((e) => { if (live) { setIndError(e); expired(e); } });
    series(query, period.trendFrom, period.to, period.interval).then((p) => {
      if (live) { setTrend(p); setTrendError(null); }
    }).catch((e) => { if (live) setTrendError(e); });
    return () => { live = false; };
  }, [query, period, expired]);

  useEffect(() => {
    categories().then(setCats).catch(() => undefined); // names only: codes show without them
  }, []);

  // --- the map: opened at the user's area once it is known
  const rootCode = trail.length ? trail[0].code : null;
  const onOpen = useCallback((code: string, list: Child[]) => {
    setTrail((prev) => {
      const i = prev.findIndex((c) => c.code === code);
      return i >= 0 ? prev.slice(0, i + 1) : [...prev, { code, name: view.current?.names.get(code) ?? code }];
    });
    setShown(code);
    setChildren(list);
    setCounts(null);
  }, []);
  const mapEl = useRef<HTMLDivElement>(null);
  const [mapView, setMapView] = useState<MapView | null>(null);
  // the map is made at once (beside the first figures), and opened at the user's area once that is known
  useEffect(() => {
    let dead = false;
    let made: MapView | null = null;
    MapView.create(mapEl.current!, (code, list) => onOpen(code, list)).then((v) => {
      if (dead) return v.destroy();
      made = v;
      view.current = v;
      setMapView(v);
    }).catch((e) => { if (!dead) { setMapError(e); expired(e); } });
    return () => { dead = true; made?.destroy(); view.current = null; };
  }, [onOpen, expired]);
  useEffect(() => {
    if (!rootCode || !mapView) return;
    let dead = false;
    setMapError(null);
    mapView.open(rootCode).then(() => { if (!dead) setMapDrawn(true); })
      .catch((e) => { if (!dead) { setMapError(e); expired(e); } });
    return () => { dead = true; };
  }, [rootCode, mapView, expired]);

  const go = useCallback((code: string) => {
    if (!view.current) return;
    setMapError(null);
    const v = view.current;
    v.open(code).then((opened) => {
      if (opened) return;
      setTrail((prev) => {
        const base = prev[prev.length - 1]?.leaf ? prev.slice(0, -1) : prev;
        return base.some((c) => c.code === code) ? base : [...base, { code, name: v.names.get(code) ?? code, leaf: true }];
      });
    }).catch((e) => { setMapError(e); expired(e); });
  }, [expired]);

  // --- the heat layer: case counts of the areas below the one shown (a leaf shows its siblings: its
  // parent's), one request asked for with the area's figures, drawn once the map shows those areas.
  // At the top it names no org, as the figures do (the user's area: asked for at once in main.tsx).
  const heatCode = (org?.leaf ? trail[trail.length - 2] : org)?.code;
  useEffect(() => {
    if (!heatCode) return;
    let live = true;
    childCounts(heatCode === rootCode ? undefined : heatCode, period.from, period.to).catch(() => new Map<string, number>())
      .then((counts) => { if (live) setHeat({ code: heatCode, counts }); });
    return () => { live = false; };
  }, [heatCode, rootCode, period]);
  useEffect(() => {
    if (!mapDrawn || !heat || heat.code !== shown) return;
    const m = new Map(children.map((c) => [c.code, heat.counts.get(c.code) ?? 0]));
    setCounts(m);
    view.current?.setCounts(m, (name, n) => `${name}：${n}`);
    drawn('heat');
  }, [heat, shown, children, mapDrawn, drawn]);

  // the case points of the area and period, asked for with its figures too; their tooltips name the category when they open
  const orgCode = org?.code;
  useEffect(() => {
    if (!orgCode) return;
    let live = true;
    points(orgCode === rootCode ? undefined : orgCode, period.from, period.to).then((list) => { if (live) setCases(list); }, () => drawn('points')); // failed: none to draw
    return () => { live = false; };
  }, [orgCode, rootCode, period, drawn]);
  const names = useRef({ cats, lang });
  names.current = { cats, lang };
  useEffect(() => {
    if (!cases || !mapView) return;
    mapView.setPoints(cases.map((f) => ({
      id: f.properties.id, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1], status: f.properties.status, deadline: f.properties.deadline, category: f.properties.category,
    })), (p) => `#${p.id} ${names.current.cats.get(p.category)?.[names.current.lang === 'en' ? 'nameEn' : 'name'] ?? p.category}`);
    drawn('points');
  }, [cases, mapView, drawn]);

  // --- the first render, measured (firstRender.ts): the figures, the map's areas, heat and cases, both charts
  useEffect(() => { if (ind) drawn('kpis'); }, [ind, drawn]);
  useEffect(() => { if (mapDrawn) drawn('areas'); }, [mapDrawn, drawn]);
  useEffect(() => { if (ind && !ind.categories.length) drawn('categories'); }, [ind, drawn]); // nothing to chart: said in words
  const trendDrawn = useCallback(() => drawn('trend'), [drawn]);
  const categoriesDrawn = useCallback(() => drawn('categories'), [drawn]);

  // --- live: a change refreshes the figures (debounced), and every 5 minutes anyway
  const refresh = useMemo(() => debounce(() => setTick((n) => n + 1), 1000, 8000), []);
  useEffect(() => () => refresh.cancel(), [refresh]);
  useEffect(() => {
    const id = setInterval(() => setTick((n) => n + 1), 5 * 60_000);
    return () => clearInterval(id);
  }, []);
  const feed = useFeed(refresh, refresh, ready);

  const retry = () => setTick((n) => n + 1);
  const max = counts ? Math.max(0, ...counts.values()) : 0;
  const ranked = counts ? [...children].sort((a, b) => (counts.get(b.code) ?? 0) - (counts.get(a.code) ?? 0)) : children;

  if (indError instanceof ApiError && indError.status === 403 && !ind) {
    return <Result status="403" title={t('noAccess')} subTitle={indError.say(lang)} extra={<Button onClick={() => void logout().then(onSignedOut)}>{t('common.logout')}</Button>} />;
  }

  return (
    <div className="dash">
      <header className="dash-head">
        <h1>{t('app.title')}{org ? ` · ${org.name}` : ''}</h1>
        <nav className="crumbs" aria-label={t('area.label')}>
          <ol>
            {trail.map((c, i) => (
              <li key={c.code}>
                {i < trail.length - 1
                  ? <button type="button" className="link" onClick={() => go(c.code)}>{c.name}</button>
                  : <span aria-current="page">{c.name}</span>}
              </li>
            ))}
          </ol>
          {trail.length > 1 && <Button size="small" onClick={() => go(trail[trail.length - 2].code)}>{t('area.up')}</Button>}
        </nav>
        <div className="head-tools">
          <Segmented<PeriodKey> aria-label={t('period.label')} value={periodKey} onChange={(v) => setPeriodKey(v)}
            options={PERIODS.map((p) => ({ value: p, label: t(`period.${p}`) }))} />
          {updated && <span className="muted" aria-live="off">{t('updated', { time: clock(updated) })}</span>}
          <Button size="small" onClick={switchLanguage} aria-label={t('app.langLabel')} lang={lang === 'en' ? 'zh-CN' : 'en'}>{t('lang.switch')}</Button>
          <span className="muted">{user.name}</span>
          <Button size="small" onClick={() => void logout().then(onSignedOut)}>{t('common.logout')}</Button>
        </div>
      </header>

      <main className="dash-body">
        <section className="panel kpi-panel" aria-labelledby="kpi-h">
          <h2 id="kpi-h">{t('kpi.title')}</h2>
          {indError && !ind ? <ErrorBox text={`${t('error.load')}：${say(indError, lang)}`} onRetry={retry} /> : null}
          {indError && ind ? <Alert type="warning" showIcon title={`${t('error.load')}：${say(indError, lang)}`} action={<Button size="small" onClick={retry}>{t('common.retry')}</Button>} /> : null}
          {ind ? <Kpis ind={ind} /> : !indError && <Spin description={t('common.loading')} />}
        </section>

        <section className="panel cat-panel" aria-labelledby="cat-h">
          <h2 id="cat-h">{t('cat.title')}</h2>
          <Suspense fallback={<Spin />}>
            {ind && (ind.categories.length ? <CategoryChart items={ind.categories} cats={cats} title={t('cat.title')} onDrawn={categoriesDrawn} /> : <p className="empty">{t('common.empty')}</p>)}
          </Suspense>
        </section>

        <section className="panel map-panel" aria-labelledby="map-h">
          <h2 id="map-h">{t('map.title')} {cases && <small className="muted">{t('map.points', { n: cases.length })}</small>}</h2>
          {mapError ? <ErrorBox text={`${t('error.map')}：${say(mapError, lang)}`} onRetry={() => (view.current && org ? go(org.code) : location.reload())} /> : null}
          <div ref={mapEl} className="map" role="region" aria-label={t('map.label')} />
          <p className="legend muted">{t('map.legend')}</p>
        </section>

        <section className="panel children-panel" aria-labelledby="children-h">
          <h2 id="children-h">{t('area.children')} <small className="muted">{t('area.childrenHint')}</small></h2>
          <ul className="children">
            {ranked.map((c) => {
              const n = counts?.get(c.code);
              return (
                <li key={c.code}>
                  <button type="button" onClick={() => go(c.code)} aria-label={n === undefined ? c.name : `${c.name}：${n}`}>
                    <span className="swatch" style={{ background: heatColor(n ?? 0, max) ?? 'transparent' }} />
                    <span className="child-name">{c.name}</span>
                    <span className="child-n">{n ?? ''}</span>
                  </button>
                </li>
              );
            })}
          </ul>
        </section>

        <section className="panel trend-panel" aria-labelledby="trend-h">
          <h2 id="trend-h">{periodKey === 'today' ? t('trend.titleToday') : t('trend.title')}</h2>
          {trendError && !trend ? <ErrorBox text={`${t('error.load')}：${say(trendError, lang)}`} onRetry={retry} /> : null}
          <Suspense fallback={<Spin />}>
            {trend && <TrendChart points={trend} from={period.trendFrom} to={period.to} interval={period.interval} title={t('trend.title')} onDrawn={trendDrawn} />}
          </Suspense>
        </section>

        <section className="panel feed-panel" aria-labelledby="feed-h">
          <h2 id="feed-h">{t('feed.title')}</h2>
          <LiveFeed items={feed.items} state={feed.state} />
        </section>
      </main>
    </div>
  );
}

function ErrorBox({ text, onRetry }: { text: string; onRetry: () => void }) {
  const { t } = useTranslation();
  return <Alert type="error" showIcon role="alert" title={text} action={<Button size="small" onClick={onRetry}>{t('common.retry')}</Button>} />;
}
