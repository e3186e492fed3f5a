/** Module `org`: the administrative tree with its centers, platforms and departments. */
export { orgRoutes } from './org.routes.js';
export {
  getUnit, visibleUnit, childrenOf, ancestorsOf, subtreeOf, searchUnits, createUnits, deleteUnits, countUnits, isEmpty,
  listForIndex, listAreasUnder, idsByCodes, findByCodes, findByIds, childAreaIds, parentCenters, idsUnderPath, areasOfLevel, renameUnit, treeFromDivisions, centerCode, strip,
} from './org.service.js';
export { loadDivisions, countyCodeOf, REGIONS_DIR, type Division } from './divisions.js';
export type { OrgUnit, Level, Kind, NewUnit } from './org.schemas.js';
export type { UnitRow, GridPlace } from './org.repository.js';
export { listGridPlaces, listHandlerUnits } from './org.repository.js';
export { OrgUnitSchema, LevelSchema, UnitRefParams } from './org.schemas.js';
