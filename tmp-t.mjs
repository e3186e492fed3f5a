import { loadCountyPolygons } from './dist/modules/grids/seed-boundaries.js';
import { partition } from './dist/modules/grids/synthetic.js';
import fs from 'node:fs';
const d = JSON.parse(fs.readFileSync('data/regions/33/divisions.json','utf8'));
const n = new Map(); for (const [c] of d.units) if (c.length===9) n.set(c.slice(0,6),(n.get(c.slice(0,6))||0)+1);
let t=Date.now(); const cs = loadCountyPolygons('33'); console.log('load', Date.now()-t);
t=Date.now(); let parts=0;
for (const c of cs) { parts += partition(c.coords, n.get(c.code), 'pingan:'+c.code).length; }
console.log('townships', parts, Date.now()-t, 'ms');
