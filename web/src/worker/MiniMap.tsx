/** A small map of the case: its point over the outline of its grid (our own boundaries; base tiles only if configured). Loaded on demand. */
import { useEffect, useRef, useState } from 'react';
import { api } from '../shared/api.js';
import { createMap, L } from '../shared/map.js';

export default function MiniMap({ lon, lat, grid, label }: { lon: number; lat: number; grid: string | null; label: string }) {
  const el = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let map: L.Map | null = null;
    let gone = false;
    void (async () => {
      try {
        const m = await createMap(el.current!, { center: [lat, lon], zoom: 16 });
        if (gone) { m.remove(); return; }
        map = m;
        if (grid) {
          const f = await api.get<GeoJSON.Feature>(`/api/v1/boundaries/${encodeURIComponent(grid)}?zoom=16`).catch(() => null);
          if (f && !gone) L.geoJSON(f, { style: { color: '#65a30d', weight: 1.5, fillOpacity: 0.08 } }).addTo(m);
        }
        L.circleMarker([lat, lon], { radius: 8, color: '#fff', weight: 2, fillColor: '#1677ff', fillOpacity: 1 }).addTo(m);
      } catch {
        if (!gone) setFailed(true);
      }
    })();
    return () => { gone = true; map?.remove(); };
  }, [lon, lat, grid]);
  if (failed) return null;
  return <div ref={el} className="w-map" role="img" aria-label={label} />;
}
