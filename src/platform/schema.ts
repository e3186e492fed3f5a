import { Type } from 'typebox';

/** A string enum (JSON Schema `enum`) that keeps its TypeScript literal type. */
export const StringEnum = <T extends string>(values: readonly T[], opts: { description?: string; default?: T } = {}) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...opts });
