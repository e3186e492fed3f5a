/** Module `open311`: Open311 GeoReport v2 (and mySociety's service request updates) over the case loop. */
export { open311Routes, PREFIX as OPEN311_PREFIX } from './open311.routes.js';
