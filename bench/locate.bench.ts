/**
 * Point → grid look-ups over the province seed (≈ 85,000 grids): the in-process locator, and in
 * the same run the same points through SQL with PostGIS ST_Contains on the same polygons, where
 * PostGIS is installed (Debian: postgresql-15-postgis-3; the product never needs it).
 *
 * Database: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/pingan_bench), seeded
 * at province scale if empty; without a reachable server, PGlite under data/bench.
 */
import path from 'node:path';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { openDatabase, rows, type Database } from '../src/platform/db/database.js';
import { migrate } from '../src/platform/db/migrator.js';
import { isEmpty } from '../src/modules/org/index.js';
import { LocatorService } from '../src/modules/grids/index.js';
import { seedDatabase } from '../src/server/seed.js';

const GOAL_PER_SEC = 200_000;
const GOAL_P99_US = 20;

async function open(): Promise<{ database: Database; url?: string }> {
  const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/pingan_bench';
  try {
    const admin = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
    await admin.connect();
    const name = new URL(url).pathname.slice(1);
    const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (!exists.rowCount) await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    return { database: await openDatabase({ url }), url };
  } catch {
    console.log('  (no PostgreSQL reachable: using PGlite under data/bench, and no PostGIS comparison)');
    return { database: await openDatabase({ dataDir: path.resolve('data/bench') }) };
  }
}

function percentile(sorted: Float64Array, p: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function locateBench(): Promise<void> {
  console.log('\n## locate: point → grid over the province seed');
  const { database, url } = await open();
  await migrate(database);
  if (await isEmpty(database.db)) {
    console.log('  seeding the province scale (once) …');
    const r = await seedDatabase(database, { region: '33', scale: 'province' });
    console.log(`  seeded ${r.grids} grids in ${(r.ms / 1000).toFixed(1)} s`);
  }
  const locator = new LocatorService();
  let t = performance.now();
  await locator.refresh(database.db, true);
  console.log(`  index of ${locator.indexedAreas} areas built in ${((performance.now() - t) / 1000).toFixed(2)} s`);

  // query points: uniform inside the bounding box of a random grid (where reports come from)
  const boxes = await rows<{ a: number; b: number; c: number; d: number }>(database.db, sql`select min_lon as a, min_lat as b, max_lon as c, max_lat as d from boundaries where level = 'grid'`);
  const n = 200_000;
  const pts = new Float64Array(2 * n);
  let seed = 42;
  const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  for (let i = 0; i < n; i++) {
    const b = boxes[Math.floor(rnd() * boxes.length)];
    pts[2 * i] = b.a + rnd() * (b.c - b.a);
    pts[2 * i + 1] = b.b + rnd() * (b.d - b.b);
  }
  // find() answers null outside (a bbox corner in the sea); the HTTP route turns that into a 422
  const probe = (i: number) => locator.find(pts[2 * i], pts[2 * i + 1])?.grid?.id ?? 0;
  for (let i = 0; i < 20_000; i++) probe(i); // warm up
  t = performance.now();
  let found = 0;
  for (let i = 0; i < n; i++) if (probe(i) > 0) found++;
  const secs = (performance.now() - t) / 1000;
  const perSec = n / secs;
  const lat = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    probe(i);
    lat[i] = (performance.now() - s) * 1000;
  }
  lat.sort();
  const p50 = percentile(lat, 50), p99 = percentile(lat, 99);
  console.log(`  in process: ${Math.round(perSec).toLocaleString('en')} look-ups/s, p50 ${p50.toFixed(1)} µs, p99 ${p99.toFixed(1)} µs (${found} of ${n} in a grid)`);
  console.log(`  goal ≥ ${GOAL_PER_SEC.toLocaleString('en')}/s: ratio ${(perSec / GOAL_PER_SEC).toFixed(2)}; goal p99 ≤ ${GOAL_P99_US} µs: ratio ${(GOAL_P99_US / p99).toFixed(2)} (≥ 1 meets it)`);

  if (url) await postgis(database, url, pts, perSec, p50);
  await database.close();
}

async function postgis(database: Database, url: string, pts: Float64Array, ourPerSec: number, ourP50: number) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const available = await client.query(`select 1 from pg_available_extensions where name = 'postgis'`);
    if (!available.rowCount) {
      console.log('  PostGIS is not installed here (apt-get install postgresql-15-postgis-3): no SQL comparison');
      return;
    }
    await client.query('CREATE EXTENSION IF NOT EXISTS postgis');
    const has = await client.query(`select 1 from information_schema.tables where table_name = 'bench_postgis_grids'`);
    if (!has.rowCount) {
      console.log('  building the PostGIS copy of the grids …');
      await client.query(`CREATE TABLE bench_postgis_grids AS SELECT unit_id, ST_SetSRID(ST_GeomFromGeoJSON(geom::text), 4326) AS g FROM boundaries WHERE level = 'grid'`);
      await client.query('CREATE INDEX ON bench_postgis_grids USING gist (g)');
      await client.query('ANALYZE bench_postgis_grids');
    }
    await client.query({ name: 'loc', text: 'SELECT unit_id FROM bench_postgis_grids WHERE ST_Contains(g, ST_SetSRID(ST_MakePoint($1, $2), 4326)) ORDER BY unit_id LIMIT 1', values: [120, 30] });
    const m = 5000;
    const lat = new Float64Array(m);
    const t = performance.now();
    for (let i = 0; i < m; i++) {
      const s = performance.now();
      await client.query({ name: 'loc', text: 'SELECT unit_id FROM bench_postgis_grids WHERE ST_Contains(g, ST_SetSRID(ST_MakePoint($1, $2), 4326)) ORDER BY unit_id LIMIT 1', values: [pts[2 * i], pts[2 * i + 1]] });
      lat[i] = (performance.now() - s) * 1000;
    }
    const perSec = m / ((performance.now() - t) / 1000);
    lat.sort();
    console.log(`  PostGIS ST_Contains (one connection, same points): ${Math.round(perSec).toLocaleString('en')} look-ups/s, p50 ${percentile(lat, 50).toFixed(0)} µs, p99 ${percentile(lat, 99).toFixed(0)} µs`);
    console.log(`  ratio in-process / PostGIS: ${(ourPerSec / perSec).toFixed(0)}× throughput, ${(percentile(lat, 50) / ourP50).toFixed(0)}× lower p50`);
  } finally {
    await client.end();
  }
}
