/**
 * The dashboard's map: the AreaLayer of shared/map.ts (boundaries from our API, drilling down on
 * click), a heat fill of its child areas by case count, and the case points of the period.
 * Plain Leaflet, driven by the React component AreaMap.
 */
import { AreaLayer, createMap, DEADLINE_COLORS, L, webConfig, type AreaFeature } from '../shared/map.js';

export interface Child { code: string; name: string; level: string }

const HEAT = ['#fde68a', '#fbbf24', '#f97316', '#dc2626', '#991b1b'];
const CLOSED = new Set(['closed', 'rejected', 'withdrawn', 'merged']);

export function heatColor(n: number, max: number): string | null {
  if (!n || max <= 0) return null;
  const i = Math.min(HEAT.length - 1, Math.floor((n / max) * (HEAT.length - 1) + 0.0001));
  return HEAT[i];
}

export class MapView {
  private layer!: AreaLayer;
  private readonly points = L.layerGroup();
  /** Names of every area seen, for the breadcrumb. */
  readonly names = new Map<string, string>();
  children: Child[] = [];
  private counts = new Map<string, number>();

  private constructor(readonly map: L.Map, private readonly onOpen: (code: string, children: Child[]) => void) {
    // the points share the areas' canvas (a canvas in a pane above would swallow the areas' clicks):
    // they are brought to the front whenever areas are drawn
    this.points.addTo(map);
    this.makeLayer();
  }

  static async create(el: HTMLElement, onOpen: (code: string, children: Child[]) => void): Promise<MapView> {
    const map = await createMap(el);
    // no base tiles: a dark sea instead of the light one, for the big screen
    if (!(await webConfig()).tileUrl) el.style.background = '#0c1a2e';
    return new MapView(map, onOpen);
  }

  private makeLayer() {
    this.layer = new AreaLayer(this.map, {
      fill: (code) => heatColor(this.counts.get(code) ?? 0, Math.max(0, ...this.counts.values())),
      onOpen: (code) => this.opened(code),
      tooltip: (f) => f.properties.name,
    });
  }

  private features(): { feature: AreaFeature; path: L.Path }[] {
    const out: { feature: AreaFeature; path: L.Path }[] = [];
    this.layer.group.eachLayer((gj) => (gj as L.GeoJSON).eachLayer((l) => {
      const f = (l as L.Path & { feature?: AreaFeature }).feature;
      if (f) out.push({ feature: f, path: l as L.Path });
    }));
    return out;
  }

  private opened(code: string) {
    this.counts = new Map();
    this.points.eachLayer((p) => (p as L.CircleMarker).bringToFront());
    this.children = this.features().map(({ feature: f }) => {
      this.names.set(f.properties.code, f.properties.name);
      return { code: f.properties.code, name: f.properties.name, level: f.properties.level };
    });
    this.onOpen(code, this.children);
  }

  /** Opens an area: a child of the one shown drills down; anything else (an ancestor) starts over there. */
  async open(code: string): Promise<boolean> {
    if (this.layer.current && !this.children.some((c) => c.code === code)) {
      this.map.removeLayer(this.layer.group);
      this.makeLayer();
    }
    return (await this.layer.open(code)).length > 0;
  }

  /** Colours the child areas by their case counts (the heat layer). */
  setCounts(counts: Map<string, number>, label: (name: string, n: number) => string) {
    this.counts = counts;
    const max = Math.max(0, ...counts.values());
    for (const { feature: f, path } of this.features()) {
      const n = counts.get(f.properties.code) ?? 0;
      const color = heatColor(n, max);
      path.setStyle(color ? { fillColor: color, fillOpacity: 0.55 } : { fillColor: path.options.color, fillOpacity: 0.05 });
      path.setTooltipContent(label(f.properties.name, n));
    }
  }

  /** The case points; `label` makes a point's tooltip when it opens (so a change of names or language needs no redraw). */
  setPoints<P extends { lon: number; lat: number; status: string; deadline: string }>(list: P[], label: (p: P) => string) {
    this.points.clearLayers();
    for (const p of list) {
      const color = CLOSED.has(p.status) ? '#94a3b8' : (DEADLINE_COLORS[p.deadline] ?? DEADLINE_COLORS.normal);
      L.circleMarker([p.lat, p.lon], { radius: 5, color: '#0b1220', weight: 1, fillColor: color, fillOpacity: 0.95 })
        .bindTooltip(() => label(p))
        .addTo(this.points);
    }
  }

  destroy() {
    this.map.remove();
  }
}
