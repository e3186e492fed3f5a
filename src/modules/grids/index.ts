/** Module `grids`: boundaries, synthetic subdivision, grid import/export and point → grid routing. */
export { gridsRoutes } from './grids.routes.js';
export { LocatorService, toWgs84, CRS, type Crs, type Location } from './locate.service.js';
export { seedBoundaries, loadCountyPolygons, DEMO_COUNTIES, type Scale, type SeedResult } from './seed-boundaries.js';
export { importGrids, parseFeatureCollection, type ImportResult } from './import-grids.js';
export { exportGrids, boundaryOf, childBoundaries, gridAtLabelPoint } from './grids.service.js';
export { countByLevel as countBoundaries, gridPoints, type GridPoint } from './grids.repository.js';
