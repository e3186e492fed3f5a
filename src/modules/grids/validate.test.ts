import { describe, expect, it } from 'vitest';
import { validateAreaGeometry } from './validate.js';

const square = [[120, 30], [120.01, 30], [120.01, 30.01], [120, 30.01], [120, 30]];

describe('validateAreaGeometry', () => {
  it('accepts a simple square, a square with a hole and a MultiPolygon', () => {
    expect(validateAreaGeometry({ type: 'Polygon', coordinates: [square] }).reasons).toEqual([]);
    const hole = [[120.002, 30.002], [120.002, 30.004], [120.004, 30.004], [120.004, 30.002], [120.002, 30.002]];
    expect(validateAreaGeometry({ type: 'Polygon', coordinates: [square, hole] }).reasons).toEqual([]);
    const other = square.map(([x, y]) => [x + 0.02, y]);
    expect(validateAreaGeometry({ type: 'MultiPolygon', coordinates: [[square], [other]] }).reasons).toEqual([]);
  });

  it.each([
    ['a point', { type: 'Point', coordinates: [120, 30] }, /Polygon or MultiPolygon/],
    ['no geometry', null, /missing/],
    ['an open ring', { type: 'Polygon', coordinates: [square.slice(0, 4)] }, /not closed/],
    ['too few positions', { type: 'Polygon', coordinates: [[[120, 30], [121, 30], [120, 30]]] }, /fewer than 4/],
    ['a bow tie', { type: 'Polygon', coordinates: [[[120, 30], [120.03, 30.01], [120.03, 30], [120, 30.02], [120, 30]]] }, /intersects itself/],
    ['longitude out of range', { type: 'Polygon', coordinates: [square.map(([x, y]) => [x + 100, y])] }, /out of range/],
    ['latitude out of range', { type: 'Polygon', coordinates: [square.map(([x, y]) => [x, y + 70])] }, /out of range/],
    ['a string for a number', { type: 'Polygon', coordinates: [[['120', 30], ...square.slice(1)]] }, /pair of numbers/],
    ['zero area', { type: 'Polygon', coordinates: [[[120, 30], [120.01, 30], [120.02, 30], [120, 30]]] }, /zero area|intersects/],
    ['crossing rings', { type: 'Polygon', coordinates: [square, [[120.005, 30.005], [120.02, 30.005], [120.02, 30.006], [120.005, 30.006], [120.005, 30.005]]] }, /cross/],
  ])('rejects %s', (_name, geometry, reason) => {
    const { reasons, coords } = validateAreaGeometry(geometry);
    expect(coords).toBeUndefined();
    expect(reasons.map((r) => r.en).join('; ')).toMatch(reason);
    expect(reasons[0].zh.length).toBeGreaterThan(0);
  });
});
