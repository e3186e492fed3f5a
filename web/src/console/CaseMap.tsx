/**
 * The map beside the list: the grids of the operator's area (AreaLayer, drilling down on click)
 * and the cases in view as points coloured by their deadline state; a point opens its case.
 */
import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button, Result } from 'antd';
import { AreaLayer, createMap, DEADLINE_COLORS, L } from '../shared/map.js';
import { casePoints, type CasePoint } from './client.js';
import type { Filters } from './types.js';
import { debounce, disposeMap, errText } from './util.js';

export interface MapHandle { locate(id: number, lon: number, lat: number): void }

interface Props { rootCode: string; filters: Filters; refreshKey: number; openId: number | null; onOpen: (id: number) => void }

interface State { map: L.Map; areas: AreaLayer; points: L.LayerGroup; renderer: L.Renderer; reload: (() => void) & { cancel(): void } }

export const CaseMap = forwardRef<MapHandle, Props>(function CaseMap({ rootCode, filters, refreshKey, openId, onOpen }, ref) {
  const { t, i18n } = useTranslation();
  const el = useRef<HTMLDivElement>(null);
  const st = useRef<State | null>(null);
  const latest = useRef({ filters, onOpen, openId });
  latest.current = { filters, onOpen, openId };
  const [error, setError] = useState<unknown>(null);
  const [attempt, setAttempt] = useState(0);
  const [depth, setDepth] = useState(0);

  useEffect(() => {
    let cancelled = false;
    let map: L.Map | null = null;
    setError(null);
    void (async () => {
      try {
        map = await createMap(el.current!);
        if (cancelled) return void disposeMap(map);
        const pane = map.createPane('cases');
        pane.style.zIndex = '450';
        pane.style.pointerEvents = 'none'; // only the points themselves take clicks; the grids beneath drill down
        const renderer = L.svg({ pane: 'cases' });
        const points = L.layerGroup().addTo(map);
        const areas = newAreas(map);
        const reload = debounce(() => void drawPoints(), 250);
        st.current = { map, areas, points, renderer, reload };
        map.on('moveend', () => reload());
        await areas.open(rootCode);
        reload();
      } catch (e) {
        if (!cancelled) setError(e);
      }
    })();
    return () => {
      cancelled = true;
      st.current?.reload.cancel();
      st.current = null;
      if (map) disposeMap(map);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [rootCode, attempt]);

  /** The areas, drilling down from the operator's own; `depth` counts the levels opened (for "up"). */
  function newAreas(map: L.Map) {
    const path: string[] = [];
    return new AreaLayer(map, {
      onOpen: (code) => {
        const i = path.indexOf(code);
        if (i >= 0) path.length = i + 1;
        else path.push(code);
        setDepth(path.length);
      },
    });
  }

  async function drawPoints() {
    const s = st.current;
    if (!s) return;
    const b = s.map.getBounds();
    const bbox = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((x) => x.toFixed(5)).join(',');
    try {
      const { features } = await casePoints(latest.current.filters, bbox);
      if (st.current !== s) return;
      s.points.clearLayers();
      for (const f of features) s.points.addLayer(pointOf(s, f));
    } catch {
      /* the list shows the network error; the map keeps its last points */
    }
  }

  function pointOf(s: State, f: CasePoint) {
    const [lon, lat] = f.geometry.coordinates;
    const p = f.properties;
    const open = latest.current.openId === p.id;
    const m = L.circleMarker([lat, lon], {
      renderer: s.renderer, radius: open ? 9 : 6, weight: open ? 3 : 1.5, color: open ? '#111827' : '#ffffff',
      fillColor: DEADLINE_COLORS[p.deadline] ?? DEADLINE_COLORS.normal, fillOpacity: 0.95,
    });
    m.bindTooltip(`#${p.id} · ${t(`status.${p.status}`)} · ${t(`deadline.${p.deadline}`)}`);
    m.on('click', (e) => {
      L.DomEvent.stopPropagation(e);
      latest.current.onOpen(p.id);
    });
    return m;
  }

  useEffect(() => { st.current?.reload(); }, [filters, refreshKey, openId, i18n.language]);

  useImperativeHandle(ref, () => ({
    locate(_id, lon, lat) {
      const s = st.current;
      if (!s) return;
      s.map.setView([lat, lon], Math.max(s.map.getZoom(), 16));
      el.current?.scrollIntoView({ block: 'nearest' });
    },
  }), []);

  const home = () => {
    const s = st.current;
    if (!s) return;
    s.areas.group.remove();
    s.areas = newAreas(s.map);
    void s.areas.open(rootCode);
  };

  return (
    <section className="console-map" aria-label={t('map.title')}>
      <div ref={el} className="console-map-canvas" role="region" aria-label={t('map.label')} data-testid="case-map" />
      {error !== null && (
        <div className="console-map-error">
          <Result status="warning" title={t('map.error')} subTitle={errText(error, i18n.language)} extra={<Button onClick={() => setAttempt((a) => a + 1)}>{t('common.retry')}</Button>} />
        </div>
      )}
      <div className="console-map-tools">
        <Button size="small" onClick={() => void st.current?.areas.up()} disabled={depth < 2}>{t('map.up')}</Button>
        <Button size="small" onClick={home}>{t('map.home')}</Button>
      </div>
      <ul className="console-legend" aria-label={t('map.legend')}>
        {Object.entries(DEADLINE_COLORS).map(([k, c]) => (
          <li key={k}><span className="console-dot" style={{ background: c }} aria-hidden />{t(`deadline.${k}`)}</li>
        ))}
      </ul>
    </section>
  );
});
