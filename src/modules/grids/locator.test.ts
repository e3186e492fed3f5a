import { describe, expect, it } from 'vitest';
import { Locator } from './locator.js';
import type { MultiCoords } from './geometry.js';

const box = (x0: number, y0: number, x1: number, y1: number): MultiCoords => [[[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]];

describe('Locator', () => {
  // two grids side by side sharing the edge x = 1, inside a village, inside a county
  const locator = new Locator([
    { unitId: 2, code: '330000000001002', level: 'grid', coords: box(1, 0, 2, 1) },
    { unitId: 1, code: '330000000001001', level: 'grid', coords: box(0, 0, 1, 1) },
    { unitId: 3, code: '330000000001', level: 'village', coords: box(0, 0, 2, 2) },
    { unitId: 4, code: '330000', level: 'county', coords: box(0, 0, 3, 3) },
  ]);

  it('finds the grid containing a point', () => {
    expect(locator.locate(0.5, 0.5)?.code).toBe('330000000001001');
    expect(locator.locate(1.5, 0.5)?.code).toBe('330000000001002');
  });

  it('resolves a point on a shared border to the smaller code, whatever the insertion order', () => {
    expect(locator.locate(1, 0.5)?.code).toBe('330000000001001');
    expect(locator.locate(1, 1)?.code).toBe('330000000001001');
  });

  it('falls back to the finest covering level where no grid covers the point', () => {
    expect(locator.locate(1.5, 1.5)?.code).toBe('330000000001');
    expect(locator.locate(2.5, 2.5)?.code).toBe('330000');
  });

  it('returns null outside everything', () => {
    expect(locator.locate(5, 5)).toBeNull();
    expect(locator.locate(-0.001, 0.5)).toBeNull();
  });
});

describe('containsPoint', () => {
  it('agrees with point-in-polygon-hao on random points around a real county (islands and holes included)', async () => {
    const { default: pip } = await import('point-in-polygon-hao');
    const { loadCountyPolygons } = await import('./seed-boundaries.js');
    const { bboxOf } = await import('./geometry.js');
    const { Locator: L } = await import('./locator.js');
    for (const code of ['330902', '330106']) {
      const county = loadCountyPolygons('33').find((c) => c.code === code)!;
      const loc = new L([{ unitId: 1, code, level: 'county', coords: county.coords }]);
      const [x0, y0, x1, y1] = bboxOf(county.coords);
      let seed = 7;
      const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      let inside = 0;
      for (let i = 0; i < 5000; i++) {
        const x = x0 + rnd() * (x1 - x0), y = y0 + rnd() * (y1 - y0);
        const expected = county.coords.some((poly) => pip([x, y], poly) !== false);
        expect(loc.locate(x, y) !== null, `${x},${y}`).toBe(expected);
        if (expected) inside++;
      }
      expect(inside).toBeGreaterThan(500);
      // every vertex is on the boundary, hence inside
      for (const poly of county.coords) for (const [x, y] of poly[0].slice(0, 50)) expect(loc.locate(x, y)).not.toBeNull();
    }
  });
});
