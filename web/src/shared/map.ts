/**
 * Maps without the internet: our own boundaries from the API, loaded one level at a time
 * (province → city → county → township → village → grid: a click or a zoom opens the next level),
 * simplified by the server for the zoom, drawn on canvas. A base-tile URL (Tianditu, OSM) is
 * optional, from the server's web configuration.
 */
import L from 'leaflet';
import 'leaflet/dist/leaflet.css';
import { api } from './api.js';

// Leaflet's canvas renderer may run a redraw scheduled just before its map was removed (a drawer
// closing), and then fails on the context it has already dropped: skip a redraw without one.
const canvasProto = L.Canvas.prototype as unknown as { _redraw(): void; _ctx?: CanvasRenderingContext2D; _map?: unknown };
const redraw = canvasProto._redraw;
canvasProto._redraw = function (this: typeof canvasProto) {
  if (this._ctx && this._map) redraw.call(this);
};

export interface WebConfig { tileUrl: string | null; tileAttribution: string | null; region: string; center: [number, number]; zoom: number }

let config: Promise<WebConfig> | null = null;
/** The pages' configuration, fetched once; a failed fetch is forgotten so that a retry asks again. */
export const webConfig = () => (config ??= api.get<WebConfig>('/api/v1/web-config').catch((e: unknown) => { config = null; throw e; }));

export interface AreaFeature { type: 'Feature'; id: string; properties: { code: string; name: string; level: string; lon: number; lat: number }; bbox: [number, number, number, number]; geometry: GeoJSON.Geometry }
interface Collection { type: 'FeatureCollection'; features: AreaFeature[] }

export async function createMap(el: HTMLElement, opts: { zoom?: number; center?: [number, number] } = {}): Promise<L.Map> {
  const cfg = await webConfig();
  const map = L.map(el, { preferCanvas: true, zoomControl: true, attributionControl: !!cfg.tileUrl, keyboard: true }).setView(opts.center ?? cfg.center, opts.zoom ?? cfg.zoom);
  if (cfg.tileUrl) L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution ?? '', maxZoom: 18 }).addTo(map);
  else el.style.background = '#eef3f8';
  return map;
}

const STYLE: Record<string, L.PathOptions> = {
  city: { color: '#1d4ed8', weight: 1.5, fillOpacity: 0.04 },
  county: { color: '#2563eb', weight: 1.2, fillOpacity: 0.05 },
  township: { color: '#0891b2', weight: 1, fillOpacity: 0.05 },
  village: { color: '#0d9488', weight: 0.8, fillOpacity: 0.05 },
  grid: { color: '#65a30d', weight: 0.6, fillOpacity: 0.06 },
};

/**
 * Areas under `rootCode`, drilling down on click. `fill(code)` may colour an area (a heat layer);
 * `onOpen` is told which area is shown.
 */
export class AreaLayer {
  readonly group = L.featureGroup();
  private stack: string[] = [];
  constructor(private map: L.Map, private opts: { fill?: (code: string, level: string) => string | null; onOpen?: (code: string) => void; tooltip?: (f: AreaFeature) => string } = {}) {
    this.group.addTo(map);
  }

  get current(): string | undefined {
    return this.stack[this.stack.length - 1];
  }

  async open(code: string, fit = true): Promise<AreaFeature[]> {
    const zoom = Math.max(Math.round(this.map.getZoom()) + (fit ? 2 : 0), 6);
    const fc = await api.get<Collection>(`/api/v1/boundaries/${encodeURIComponent(code)}/children?zoom=${Math.min(zoom, 16)}`);
    if (!fc.features.length) return [];
    this.stack.push(code);
    this.group.clearLayers();
    for (const f of fc.features) {
      const base = STYLE[f.properties.level] ?? STYLE.grid;
      const color = this.opts.fill?.(f.properties.code, f.properties.level);
      const layer = L.geoJSON(f as GeoJSON.Feature, { style: { ...base, ...(color ? { fillColor: color, fillOpacity: 0.45 } : {}) } });
      layer.bindTooltip(this.opts.tooltip?.(f) ?? f.properties.name, { sticky: true });
      layer.on('click', () => void this.open(f.properties.code));
      layer.addTo(this.group);
    }
    if (fit) this.map.fitBounds(this.group.getBounds(), { padding: [8, 8] });
    this.opts.onOpen?.(code);
    return fc.features;
  }

  async up(): Promise<void> {
    if (this.stack.length < 2) return;
    this.stack.pop();
    const parent = this.stack.pop()!;
    await this.open(parent);
  }
}

/** Case points coloured by their deadline state. */
export const DEADLINE_COLORS: Record<string, string> = { normal: '#16a34a', warning: '#eab308', overdue: '#dc2626', escalated: '#7c2d12' };

export { L };
