import { Type } from 'typebox';
import { StringEnum } from '../../platform/schema.js';
import { CRS } from './locate.service.js';

export const LocateQuery = Type.Object({
  lon: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude' }),
  lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude' }),
  crs: StringEnum(CRS, { default: 'wgs84', description: 'wgs84 (GPS), gcj02 (AMap, Tencent) or bd09 (Baidu)' }),
});

const Ref = Type.Union([Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String() }), Type.Null()]);

export const LocationSchema = Type.Object({
  lon: Type.Number(),
  lat: Type.Number(),
  crs: Type.String(),
  wgs84: Type.Object({ lon: Type.Number(), lat: Type.Number() }),
  grid: Ref,
  village: Ref,
  township: Ref,
  county: Ref,
  city: Ref,
  province: Ref,
  center: Ref,
});

export const BoundaryQuery = Type.Object({
  zoom: Type.Optional(Type.Integer({ minimum: 0, maximum: 22, description: 'Web-map zoom: geometry is simplified to half a pixel at this zoom; omit for full detail' })),
});

const GeometrySchema = Type.Object({ type: Type.Union([Type.Literal('Polygon'), Type.Literal('MultiPolygon')]), coordinates: Type.Array(Type.Any()) });

export const BoundaryFeatureSchema = Type.Object({
  type: Type.Literal('Feature'),
  id: Type.String(),
  properties: Type.Object({
    code: Type.String(), name: Type.String(), level: Type.String(), synthetic: Type.Boolean(), source: Type.String(),
    lon: Type.Number(), lat: Type.Number(), areaKm2: Type.Number(),
  }),
  bbox: Type.Array(Type.Number(), { minItems: 4, maxItems: 4 }),
  geometry: GeometrySchema,
});

export const BoundaryCollectionSchema = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(BoundaryFeatureSchema),
});

export const ImportQuery = Type.Object({
  dryRun: Type.Boolean({ default: false, description: 'Check the file and count what would change, but write nothing' }),
});

/** Checked by the import itself, which names each bad feature (a schema here would answer first, less precisely). */
export const ImportBody = Type.Unknown({
  description: 'A GeoJSON FeatureCollection of Polygon/MultiPolygon features with properties code (the village code + 1–6 digits), name and parent_code (a village); Content-Type application/json or application/geo+json',
});

export const ImportResultSchema = Type.Object({
  villages: Type.Integer({ description: 'Villages named in the file: each now has exactly the file’s grids' }),
  created: Type.Integer(),
  updated: Type.Integer(),
  removed: Type.Integer(),
  dryRun: Type.Boolean({ description: 'true: nothing was written; the counts are what an import would do' }),
});

export const ExportQuery = Type.Object({
  under: Type.String({ minLength: 2, maxLength: 64, description: 'Code of the unit whose grids to export (its subtree, within yours)' }),
});

export const GridCollectionSchema = Type.Object({
  type: Type.Literal('FeatureCollection'),
  features: Type.Array(Type.Object({
    type: Type.Literal('Feature'),
    properties: Type.Object({ code: Type.String(), name: Type.String(), parent_code: Type.String(), synthetic: Type.Boolean(), source: Type.String() }),
    geometry: GeometrySchema,
  })),
}, { description: 'Grids as GeoJSON that the import takes back' });
