/** Schemas of the categories API. */
import { Type } from 'typebox';
import { StringEnum } from '../../platform/schema.js';
import { LIMIT_UNITS } from './work-calendar.js';
import type { Category } from './categories.service.js';
import { PUBLICATIONS } from './categories.data.js';

const strict = { additionalProperties: false } as const;
const Message = (max: number) => Type.Object({ zh: Type.String({ minLength: 1, maxLength: max }), en: Type.String({ minLength: 1, maxLength: max }) }, strict);
const Limit = Type.Object({ amount: Type.Integer({ minimum: 1, maximum: 100000 }), unit: StringEnum(LIMIT_UNITS) }, strict);
const FIELD_TYPES = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] as const;

export const CodeParams = Type.Object({ code: Type.String({ pattern: '^[0-9]{4}$' }) });

const Field = Type.Object({
  code: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$' }),
  type: StringEnum(FIELD_TYPES),
  required: Type.Boolean(),
  name: Message(60),
  description: Type.Optional(Message(300)),
  values: Type.Optional(Type.Array(Type.Object({ key: Type.String({ pattern: '^[a-z0-9_]{1,40}$' }), name: Message(60) }, strict), { maxItems: 50 })),
}, strict);

const Limits = Type.Object({ accept: Limit, dispatch: Limit, sign: Limit, handle: Limit, verify: Limit }, strict);

export const CategoryBody = Type.Object({
  version: Type.Optional(Type.Integer({ minimum: 1, description: 'The version you edited (a newer one is a 409)' })),
  name: Type.String({ minLength: 1, maxLength: 40 }),
  nameEn: Type.String({ minLength: 1, maxLength: 80 }),
  handler: Type.Object({ kind: StringEnum(['platform', 'department'] as const), type: Type.String({ pattern: '^[a-z_]{1,40}$' }) }, strict),
  priority: Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3), Type.Literal(4)]),
  limits: Limits,
  evidenceRequired: Type.Boolean(),
  closure: Message(300),
  urgent: Type.Boolean(),
  keywords: Type.Array(Type.String({ minLength: 1, maxLength: 20 }), { maxItems: 30 }),
  fields: Type.Array(Field, { maxItems: 20 }),
  publication: Type.Optional(StringEnum(PUBLICATIONS, { description: 'What Open311 publishes of its cases: public; counted (the township only: no point, address, description or notes); private (left out, 404). Omitted: unchanged (new: private for groups 03 and 04, public otherwise)' })),
  active: Type.Optional(Type.Boolean()),
}, strict);

export const CategoryView = Type.Object({
  code: Type.String(), group: Type.String(), groupName: Type.String(), groupNameEn: Type.String(),
  name: Type.String(), nameEn: Type.String(),
  handler: Type.Object({ kind: Type.String(), type: Type.String() }),
  priority: Type.Integer(), limits: Type.Any(), evidenceRequired: Type.Boolean(),
  closure: Type.Object({ zh: Type.String(), en: Type.String() }), urgent: Type.Boolean(),
  keywords: Type.Array(Type.String()), fields: Type.Any(), publication: StringEnum(PUBLICATIONS), active: Type.Boolean(), version: Type.Integer(), updatedAt: Type.String(),
});

export const categoryView = (c: Category) => ({ ...c, updatedAt: c.updatedAt.toISOString() });
