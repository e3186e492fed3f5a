import { Type, type Static } from 'typebox';
import { StringEnum } from '../../platform/schema.js';

export const LEVELS = ['province', 'city', 'county', 'township', 'village', 'grid'] as const;
export const KINDS = ['area', 'center', 'platform', 'department'] as const;
export type Level = (typeof LEVELS)[number];
export type Kind = (typeof KINDS)[number];

export const LevelSchema = StringEnum(LEVELS);
export const KindSchema = StringEnum(KINDS);

export const OrgUnitSchema = Type.Object({
  id: Type.Integer(),
  code: Type.String({ description: 'Official code for areas (grids extend their village code); `<area>-center`, `<township>-platform-<type>`, `<county>-dept-<type>` otherwise' }),
  name: Type.String(),
  nameEn: Type.Union([Type.String(), Type.Null()]),
  level: LevelSchema,
  kind: KindSchema,
  type: Type.Union([Type.String(), Type.Null()], { description: 'street/town/township, community/village, or the platform/department type' }),
  parentId: Type.Union([Type.Integer(), Type.Null()]),
  depth: Type.Integer(),
  countyCode: Type.Union([Type.String(), Type.Null()]),
  synthetic: Type.Boolean({ description: 'True for generated (not official) data, such as demo grids' }),
});
export type OrgUnit = Static<typeof OrgUnitSchema>;

export const UnitRefParams = Type.Object({
  ref: Type.String({ minLength: 1, maxLength: 64, pattern: '^(id:[0-9]{1,9}|[0-9A-Za-z_-]+)$', description: 'A code (`330106`, `330106-center`) or an id written `id:42`' }),
});

export const ChildrenQuery = Type.Object({
  kind: Type.Optional(KindSchema),
});

export const SubtreeQuery = Type.Object({
  level: Type.Optional(LevelSchema),
  kind: Type.Optional(KindSchema),
  after: Type.Optional(Type.String({ maxLength: 64, description: 'Cursor: the last code of the previous page' })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
});

export const SearchQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 50, description: 'Part of a name (中文), a code prefix, or pinyin / pinyin initials (e.g. "xhq" for 西湖区)' }),
  level: Type.Optional(LevelSchema),
  kind: Type.Optional(KindSchema),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
});

export const UnitList = Type.Object({ items: Type.Array(OrgUnitSchema) });
export const UnitPage = Type.Object({
  items: Type.Array(OrgUnitSchema),
  next: Type.Union([Type.String(), Type.Null()], { description: 'Pass as `after` for the next page; null on the last page' }),
});

/** A unit to create: the parent is named by code. */
export interface NewUnit {
  code: string;
  name: string;
  nameEn: string | null;
  level: Level;
  kind: Kind;
  type: string | null;
  parentCode: string | null;
  countyCode: string | null;
  synthetic: boolean;
}
