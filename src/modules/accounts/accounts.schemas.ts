import { Type } from 'typebox';
import { StringEnum } from '../../platform/schema.js';
import { ROLES } from '../../platform/auth/actor.js';

/** Printable text: no control characters, bidi overrides or zero-width characters. */
const TEXT = '^[^\\u0000-\\u001f\\u007f\\u200b-\\u200f\\u202a-\\u202e\\u2060\\ufeff]*$';
const text = (min: number, max: number, description?: string) => Type.String({ minLength: min, maxLength: max, pattern: TEXT, description });
const strict = { additionalProperties: false } as const;

export const LoginBody = Type.Object({
  username: text(1, 64),
  password: Type.String({ minLength: 1, maxLength: 256 }),
  totp: Type.Optional(Type.String({ pattern: '^[0-9]{6}$', description: '6-digit code from the authenticator app (administrators, and whoever enabled it)' })),
}, strict);

export const SmsSendBody = Type.Object({ phone: Type.String({ minLength: 11, maxLength: 20, pattern: '^[0-9+ -]+$' }) }, strict);
export const SmsLoginBody = Type.Object({ phone: Type.String({ minLength: 11, maxLength: 20, pattern: '^[0-9+ -]+$' }), code: Type.String({ pattern: '^[0-9]{6}$' }) }, strict);
export const PasswordBody = Type.Object({ current: Type.String({ minLength: 1, maxLength: 256 }), next: Type.String({ minLength: 1, maxLength: 256 }) }, strict);

export const SessionResponse = Type.Object({
  csrfToken: Type.String({ description: 'Send it as X-CSRF-Token with every change (POST, PUT, PATCH, DELETE)' }),
  user: Type.Object({
    id: Type.Integer(), kind: Type.String(), name: Type.String(), roles: Type.Array(Type.String()),
    permissions: Type.Array(Type.String(), { description: 'What the caller may do (the pages show controls by it); the org scope is checked per object' }),
    mustChangePassword: Type.Boolean(),
  }),
});

export const UserSchema = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  displayName: Type.String(),
  org: Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String() }),
  roles: Type.Array(Type.String()),
  grants: Type.Array(Type.String()),
  phone: Type.Union([Type.String({ description: 'masked: 138****5678' }), Type.Null()]),
  locked: Type.Boolean(),
  disabled: Type.Boolean(),
  mustChangePassword: Type.Boolean(),
  totpEnabled: Type.Boolean(),
  createdAt: Type.String(),
});

export const UserIdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });

export const CreateUserBody = Type.Object({
  username: text(3, 32, 'a-z 0-9 _ . -, starting with a letter'),
  displayName: text(1, 50),
  orgCode: text(2, 64),
  phone: Type.Optional(Type.String({ minLength: 11, maxLength: 20, pattern: '^[0-9+ -]+$' })),
}, strict);

export const UpdateUserBody = Type.Object({
  displayName: Type.Optional(text(1, 50)),
  orgCode: Type.Optional(text(2, 64)),
  phone: Type.Optional(Type.Union([Type.String({ minLength: 11, maxLength: 20, pattern: '^[0-9+ -]+$' }), Type.Null()])),
}, strict);

export const UpdateMeBody = Type.Object({ displayName: Type.Optional(text(1, 50)), phone: Type.Optional(Type.Union([Type.String({ minLength: 11, maxLength: 20, pattern: '^[0-9+ -]+$' }), Type.Null()])) }, strict);

export const RolesBody = Type.Object({
  roles: Type.Array(StringEnum(ROLES), { maxItems: 4, uniqueItems: true }),
  grants: Type.Array(Type.String({ maxLength: 32 }), { maxItems: 8, uniqueItems: true }),
}, strict);

export const UserListQuery = Type.Object({
  q: Type.Optional(text(1, 50)),
  after: Type.Optional(Type.Integer({ minimum: 0, maximum: 2147483647 })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
});

export const CreatedUser = Type.Object({ user: UserSchema, password: Type.String({ description: 'one-time password: shown once, must be changed at first sign-in' }), totpUri: Type.Union([Type.String(), Type.Null()]) });

export const KeySchema = Type.Object({
  id: Type.Integer(), name: Type.String(), prefix: Type.String(),
  org: Type.Object({ id: Type.Integer(), code: Type.String(), name: Type.String() }),
  permissions: Type.Array(Type.String()), createdAt: Type.String(),
  lastUsedAt: Type.Union([Type.String(), Type.Null()]), revokedAt: Type.Union([Type.String(), Type.Null()]),
});
export const CreateKeyBody = Type.Object({ name: text(1, 100), orgCode: text(2, 64), permissions: Type.Array(Type.String({ maxLength: 32 }), { minItems: 1, maxItems: 10, uniqueItems: true }) }, strict);
export const KeyIdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2147483647 }) });

const auditFilters = {
  from: Type.Optional(Type.String({ format: 'date-time' })),
  to: Type.Optional(Type.String({ format: 'date-time' })),
  actorId: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647 })),
  action: Type.Optional(Type.String({ maxLength: 64, pattern: '^[a-z_]+(\\.[a-z_]+)*(\\.\\*)?$' })),
  result: Type.Optional(StringEnum(['success', 'failure', 'denied'] as const)),
  targetType: Type.Optional(Type.String({ maxLength: 64, pattern: '^[a-z_.]+$' })),
  targetId: Type.Optional(Type.String({ maxLength: 64, pattern: TEXT })),
};
export const AuditQuery = Type.Object({
  ...auditFilters,
  before: Type.Optional(Type.Integer({ minimum: 1 })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
});
export const AuditExportQuery = Type.Object({
  ...auditFilters,
  format: StringEnum(['csv', 'ndjson'] as const, { default: 'csv' }),
});
