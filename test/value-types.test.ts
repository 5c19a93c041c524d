/** The checks between the field catalogue's generic readers and GraphQL (src/schema/value-types.ts). */
import { describe, expect, it } from 'vitest';
import type { Context } from '../src/context.ts';
import { checked, checkedOrNull, type OutputSpec } from '../src/schema/value-types.ts';

const isString = (value: unknown): value is string => typeof value === 'string';
const info = { fieldName: 'alias', parentType: { name: 'DatabaseConnection' } };
// The readers here read nothing of the context.
const context = {} as Context;
const reading = (value: unknown): OutputSpec<object> => ({ nullable: false, read: () => value });

describe('a value read for a field of a kind', () => {
  it('passes as it is when it is of the kind, synchronously or once its promise settles', async () => {
    expect(checked(reading('sales'), 'string', isString)({}, {}, context, info)).toBe('sales');
    await expect(checked(reading(Promise.resolve('sales')), 'string', isString)({}, {}, context, info)).resolves.toBe(
      'sales',
    );
  });

  it('is a fault of the service, naming the field, when it is not of the kind', async () => {
    const fault = 'DatabaseConnection.alias read a value that is not a string.';
    expect(() => checked(reading(42), 'string', isString)({}, {}, context, info)).toThrow(fault);
    expect(() => checked(reading(null), 'string', isString)({}, {}, context, info)).toThrow(fault);
    await expect(checked(reading(Promise.resolve(42)), 'string', isString)({}, {}, context, info)).rejects.toThrow(
      fault,
    );
  });

  it('may be null (or missing) where the field is nullable, and nothing else off its kind', () => {
    expect(checkedOrNull(reading(null), 'string', isString)({}, {}, context, info)).toBeNull();
    expect(checkedOrNull(reading(undefined), 'string', isString)({}, {}, context, info)).toBeUndefined();
    expect(() => checkedOrNull(reading(['a']), 'string', isString)({}, {}, context, info)).toThrow('not a string');
  });
});
