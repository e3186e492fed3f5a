/** Where the problem is: the phone's GPS, or a tap on the map; shows the grid and village found. */
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from 'antd-mobile';
import { api, ApiError } from '../shared/api.js';
import { AreaLayer, createMap, L } from '../shared/map.js';

export interface Point { lon: number; lat: number }
interface Ref { code: string; name: string }
interface Located { grid: Ref | null; village: Ref | null; township: Ref | null; county: Ref }

export function LocationPicker({ value, onChange, error }: { value: Point | null; onChange: (p: Point | null, found: Located | null) => void; error?: string }) {
  const { t, i18n } = useTranslation();
  const el = useRef<HTMLDivElement>(null);
  const map = useRef<L.Map | null>(null);
  const marker = useRef<L.CircleMarker | null>(null);
  const areas = useRef<AreaLayer | null>(null);
  const [found, setFound] = useState<Located | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const place = async (p: Point) => {
    setProblem(null);
    try {
      const loc = await api.get<Located>(`/api/v1/locate?lon=${p.lon}&lat=${p.lat}`);
      setFound(loc);
      onChange(p, loc);
      if (map.current) {
        marker.current?.remove();
        marker.current = L.circleMarker([p.lat, p.lon], { radius: 8, color: '#dc2626', fillOpacity: 0.8 }).addTo(map.current);
        if (loc.township && areas.current?.current !== loc.township.code) await areas.current?.open(loc.township.code, false);
        map.current.setView([p.lat, p.lon], Math.max(map.current.getZoom(), 15));
      }
    } catch (e) {
      setFound(null);
      onChange(null, null);
      setProblem(e instanceof ApiError ? e.say(i18n.language) : String(e));
    }
  };

  useEffect(() => {
    let alive = true;
    void createMap(el.current!).then((m) => {
      if (!alive) return m.remove();
      map.current = m;
      areas.current = new AreaLayer(m);
      void areas.current.open('33', false).catch(() => undefined);
      m.on('click', (ev: L.LeafletMouseEvent) => void place({ lon: ev.latlng.lng, lat: ev.latlng.lat }));
    }).catch(() => undefined);
    return () => { alive = false; map.current?.remove(); };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const gps = () => {
    if (!navigator.geolocation) return setProblem('GPS unavailable');
    setBusy(true);
    navigator.geolocation.getCurrentPosition(
      (pos) => { setBusy(false); void place({ lon: pos.coords.longitude, lat: pos.coords.latitude }); },
      (err) => { setBusy(false); setProblem(err.message); },
      { enableHighAccuracy: true, timeout: 15000 },
    );
  };

  return (
    <div>
      <div style={{ display: 'flex', alignItems: 'center', gap: 8, marginBottom: 8 }}>
        <Button size="small" color="primary" fill="outline" loading={busy} onClick={gps} aria-label={t('f.gps')}>{t('f.gps')}</Button>
        <span style={{ color: '#888', fontSize: 13 }}>{t('f.tap')}</span>
      </div>
      <div ref={el} data-testid="report-map" role="application" aria-label={t('f.location')} style={{ height: 220, borderRadius: 8, overflow: 'hidden' }} />
      <div aria-live="polite" style={{ marginTop: 6, fontSize: 14 }}>
        {found && value && (
          <span data-testid="located">{t('f.found')}：{[found.county.name, found.township?.name, found.village?.name, found.grid?.name].filter(Boolean).join(' · ')}</span>
        )}
        {(problem || error) && <span role="alert" style={{ color: '#dc2626' }}>{problem ?? error}</span>}
      </div>
    </div>
  );
}
