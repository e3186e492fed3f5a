/** TypeBox schemas of the case loop: request bodies (strict), queries, and the views returned. */
import { Type, type Static } from 'typebox';
import { StringEnum } from '../../platform/schema.js';
import { CRS } from '../grids/index.js';
import { ACTIONS, STATUSES } from './events.lifecycle.js';

/** Printable text; `multiline` also allows line breaks and tabs. No bidi overrides or zero-width characters. */
const LINE = '^[^\\u0000-\\u001f\\u007f\\u200b-\\u200f\\u202a-\\u202e\\u2060\\ufeff]*$';
const MULTILINE = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f\\u200b-\\u200f\\u202a-\\u202e\\u2060\\ufeff]*$';
const line = (max: number, description?: string) => Type.String({ minLength: 1, maxLength: max, pattern: LINE, description });
const multiline = (max: number, description?: string) => Type.String({ minLength: 1, maxLength: max, pattern: MULTILINE, description });
const strict = { additionalProperties: false } as const;
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Message = Type.Object({ zh: Type.String(), en: Type.String() });
export const PhotoTokens = Type.Array(Type.String({ pattern: '^[A-Za-z0-9_-]{24}$' }), { maxItems: 9, description: 'Tokens from POST /api/v1/photos (at most 9)' });

export const CHANNELS = ['citizen', 'patrol', 'hotline', 'integration'] as const;

export const IntakeBody = Type.Object({
  categoryCode: Type.String({ pattern: '^[0-9]{4}$', description: 'A category code (GET /api/v1/event-categories)' }),
  description: multiline(4000, 'What is wrong (at most 4,000 characters)'),
  location: Type.Optional(Type.Object({
    lon: Type.Number({ minimum: -180, maximum: 180 }),
    lat: Type.Number({ minimum: -90, maximum: 90 }),
    crs: Type.Optional(StringEnum(CRS, { description: 'wgs84 (GPS), gcj02 (AMap, Tencent), bd09 (Baidu); default wgs84' })),
  }, strict)),
  unitCode: Type.Optional(Type.String({ maxLength: 64, description: 'Instead of a point: the township, village or grid code' })),
  address: Type.Optional(line(200)),
  attributes: Type.Optional(Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }), Type.Union([Type.String({ maxLength: 4000 }), Type.Number(), Type.Array(Type.String({ maxLength: 200 }), { maxItems: 50 })]), { description: 'The category’s extra fields' })),
  photos: Type.Optional(PhotoTokens),
  anonymous: Type.Optional(Type.Boolean({ description: 'Withhold the reporter’s name from handlers' })),
  channel: Type.Optional(StringEnum(['patrol', 'hotline'] as const, { description: 'Staff only: patrol (grid worker) or hotline (operator)' })),
  caller: Type.Optional(Type.Object({ name: Type.Optional(line(50)), phone: Type.Optional(Type.String({ minLength: 5, maxLength: 20, pattern: '^[0-9+ -]+$' })) }, strict)),
  resolvedOnSpot: Type.Optional(Type.Boolean({ description: 'Patrol: already resolved on the spot (就地解决), with photo evidence' })),
}, strict);
export type IntakeBodyT = Static<typeof IntakeBody>;

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 8, maxLength: 128, pattern: '^[\\x21-\\x7e]+$', description: 'A retried submission with the same key returns the first case' })),
  'x-device-id': Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$', description: 'A citizen app’s random id for the device (kept by the app): intake limits count per device too' })),
});

export const EventIdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 9007199254740991 }) });

export const ActionBody = Type.Object({
  version: Type.Integer({ minimum: 1, description: 'The version of the case you saw (optimistic concurrency)' }),
  note: Type.Optional(multiline(2000, 'Reason, instruction, what was done, added information, rating comment')),
  photos: Type.Optional(PhotoTokens),
  assignee: Type.Optional(Type.Object({
    userId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
    unitCode: Type.Optional(Type.String({ maxLength: 64 })),
  }, strict)),
  dueAt: Type.Optional(Type.String({ format: 'date-time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
  into: Type.Optional(Type.Integer({ minimum: 1 })),
  rating: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
}, strict);

export const UnitRef = Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String() });

export const DuplicateSchema = Type.Object({ id: Type.Integer(), status: Type.String(), distanceM: Type.Integer(), createdAt: Type.String() });

export const EventView = Type.Object({
  id: Type.Integer(),
  version: Type.Integer(),
  status: StringEnum(STATUSES),
  statusName: Message,
  category: Type.Object({ code: Type.String(), name: Type.String(), nameEn: Type.String(), version: Type.Integer() }),
  priority: Type.Integer(),
  urgent: Type.Boolean(),
  channel: StringEnum(CHANNELS),
  description: Type.String(),
  address: Nullable(Type.String()),
  attributes: Type.Record(Type.String(), Type.Unknown()),
  location: Nullable(Type.Object({ lon: Type.Number(), lat: Type.Number() })),
  area: Type.Object({
    city: Type.String(), county: Type.String(), township: Nullable(Type.String()), village: Nullable(Type.String()), grid: Nullable(Type.String()),
    name: Type.String({ description: 'The most precise area’s name' }),
  }),
  owner: UnitRef,
  handler: Nullable(UnitRef),
  assignee: Type.Object({ unit: Nullable(UnitRef), user: Nullable(Type.Object({ id: Type.Integer(), name: Type.String() })) }),
  deadline: Type.Object({
    stage: Nullable(Type.String()), state: Type.String(), startedAt: Nullable(Type.String()), warnAt: Nullable(Type.String()),
    dueAt: Nullable(Type.String()), escalateAt: Nullable(Type.String()),
  }),
  dueAt: Nullable(Type.String({ description: 'The handling deadline set at dispatch' })),
  supervised: Type.Boolean(),
  extensionRequest: Nullable(Type.Object({ until: Type.String(), reason: Type.String() })),
  reworkCount: Type.Integer(),
  reopenCount: Type.Integer(),
  escalationCount: Type.Integer(),
  resolvedOnSpot: Type.Boolean(),
  mergedInto: Nullable(Type.Integer()),
  reporter: Nullable(Type.Object({ name: Nullable(Type.String()), phone: Nullable(Type.String({ description: 'masked' })), anonymous: Type.Boolean() }, { description: 'Staff only' })),
  acceptedAt: Nullable(Type.String()),
  dispatchedAt: Nullable(Type.String()),
  handledAt: Nullable(Type.String()),
  closedAt: Nullable(Type.String()),
  closedOnTime: Nullable(Type.Boolean()),
  closedLevel: Nullable(Type.String()),
  handlingSeconds: Nullable(Type.Integer()),
  rating: Nullable(Type.Integer()),
  ratingComment: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
  allowedActions: Type.Array(StringEnum(ACTIONS), { description: 'What the caller may do now' }),
});
export type EventViewT = Static<typeof EventView>;

export const PhotoView = Type.Object({
  token: Type.String(), mime: Type.String(), width: Type.Integer(), height: Type.Integer(),
  url: Type.String(), thumbnailUrl: Type.String(), originalUrl: Nullable(Type.String({ description: 'Staff only: with EXIF' })),
});

export const TimelineView = Type.Object({
  id: Type.Integer(),
  eventId: Type.Integer({ description: 'The case (a merged duplicate’s rows show in the case it joined)' }),
  action: Type.String(),
  actionName: Message,
  from: Nullable(Type.String()),
  to: Type.String(),
  actor: Type.Object({ kind: Type.String(), name: Type.String() }),
  owner: Nullable(Type.String()),
  assignee: Nullable(Type.String()),
  note: Nullable(Type.String()),
  details: Nullable(Type.Record(Type.String(), Type.Unknown())),
  photos: Type.Array(PhotoView),
  at: Type.String(),
});

export const EventDetail = Type.Intersect([EventView, Type.Object({
  timeline: Type.Array(TimelineView),
  photos: Type.Array(PhotoView),
  duplicates: Type.Array(DuplicateSchema, { description: 'For the center: open cases of the same category within 200 m and 48 h' }),
  mergedCases: Type.Array(Type.Integer()),
  following: Type.Boolean(),
})]);

export const IntakeResponse = Type.Object({
  event: EventView,
  duplicates: Type.Array(DuplicateSchema, { description: 'Already reported nearby: follow that one instead' }),
  replayed: Type.Boolean({ description: 'True when this answers a retry with the same Idempotency-Key' }),
  repeated: Type.Optional(Type.Boolean({ description: 'True when the report repeated your own open case of the last 10 minutes (same category, near-identical text, same place, no new photo): `event` is that case and nothing new was stored' })),
});

const csv = (pattern: string, description: string) => Type.String({ maxLength: 400, pattern: `^(${pattern})(,(${pattern}))*$`, description });

export const ListQuery = Type.Object({
  status: Type.Optional(csv('[a-z_]+', 'Statuses, comma-separated')),
  category: Type.Optional(csv('[0-9]{2}|[0-9]{4}', 'Category codes or 2-digit groups, comma-separated')),
  org: Type.Optional(Type.String({ maxLength: 64, description: 'An area code (city, county, township, village, grid) inside your scope' })),
  channel: Type.Optional(StringEnum(CHANNELS)),
  overdue: Type.Optional(Type.Boolean({ description: 'Only cases overdue or escalated by the deadline sweep' })),
  deadline: Type.Optional(StringEnum(['normal', 'warning', 'overdue', 'escalated'] as const)),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Reported at or after' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Reported before' })),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Text in the description or address; or #id' })),
  mine: Type.Optional(StringEnum(['assigned', 'reported', 'following'] as const, { description: 'Assigned to me / reported by me / I follow' })),
  supervised: Type.Optional(Type.Boolean()),
  cursor: Type.Optional(Type.String({ maxLength: 40, pattern: '^[0-9]+$', description: 'nextCursor of the previous page' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});
export type ListQueryT = Static<typeof ListQuery>;

export const ListResponse = Type.Object({ items: Type.Array(EventView), nextCursor: Nullable(Type.String()) });

export const BboxQuery = Type.Intersect([
  Type.Omit(ListQuery, ['cursor', 'limit']),
  Type.Object({
    bbox: Type.Optional(Type.String({ pattern: '^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$', description: 'minLon,minLat,maxLon,maxLat (WGS-84); without it, the whole area' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10000, default: 5000 })),
  }),
]);

export const CountsQuery = Type.Intersect([
  Type.Omit(ListQuery, ['cursor', 'limit', 'status']),
  Type.Object({ children: Type.Optional(Type.Boolean({ description: 'Also the count per area one level below `org` (a heat map)' })) }),
]);

export const CountsResponse = Type.Object({
  total: Type.Integer(),
  overdue: Type.Integer(),
  byStatus: Type.Array(Type.Object({ status: Type.String(), n: Type.Integer(), overdue: Type.Integer() })),
  children: Type.Optional(Type.Array(Type.Object({ code: Type.String(), n: Type.Integer() }), { description: 'With children=true: the areas below with cases (the others have none)' })),
});

export const DuplicatesQuery = Type.Object({
  category: Type.String({ pattern: '^[0-9]{4}$' }),
  lon: Type.Number({ minimum: -180, maximum: 180 }),
  lat: Type.Number({ minimum: -90, maximum: 90 }),
  crs: Type.Optional(StringEnum(CRS)),
});

export const IndicatorQuery = Type.Object({
  org: Type.Optional(Type.String({ maxLength: 64, description: 'An area code; default your own area' })),
  from: Type.String({ format: 'date-time' }),
  to: Type.String({ format: 'date-time' }),
});

export const SeriesQuery = Type.Intersect([IndicatorQuery, Type.Object({ interval: Type.Optional(StringEnum(['day', 'week', 'month'] as const, { default: 'day' })) })]);
