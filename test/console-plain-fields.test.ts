/**
 * The console's plain fields (console/src/plain-fields.ts), of every kind the schema may declare
 * (text, whole numbers, numbers, flags; required, optional, nullable), whether or not schema.graphql
 * has one of that kind now: what the form's input holds, what it sends, what it refuses before
 * sending, and how the form hints them and the detail shows them.
 */
import { describe, expect, it } from 'vitest';
import { PLAIN_FIELDS } from '../console/src/fields.generated.ts';
import {
  enteredOf,
  hintOf,
  type PlainField,
  SHOWN_FIELDS,
  sentValueOf,
  shownValueOf,
} from '../console/src/plain-fields.ts';

const field = (type: PlainField['type'], rest: Partial<PlainField> = {}): PlainField => ({
  name: 'retries',
  type,
  required: false,
  nullable: true,
  description: null,
  ...rest,
});

describe('the console’s plain fields', () => {
  it('are those of schema.graphql but the ones it shows in its own way, required ones first', () => {
    const shown: string[] = SHOWN_FIELDS.map(({ name }) => name);
    expect(PLAIN_FIELDS.map(({ name }) => name).filter((name) => !shown.includes(name))).toEqual([
      'useSsh',
      'workspace',
    ]);
    expect(shown[0]).toBe('alias');
    // No required field after an optional one.
    const optional = SHOWN_FIELDS.findIndex((shownField) => !shownField.required);
    const after = optional < 0 ? [] : SHOWN_FIELDS.slice(optional);
    expect(after.filter((shownField) => shownField.required)).toEqual([]);
  });

  it('hold text in their inputs, or a checkbox’s state for a flag', () => {
    expect(enteredOf(field('String'), 'sales')).toBe('sales');
    expect(enteredOf(field('String'), null)).toBe('');
    expect(enteredOf(field('Int'), 3)).toBe('3');
    expect(enteredOf(field('Int'), undefined)).toBe('');
    expect(enteredOf(field('Boolean'), true)).toBe(true);
    expect(enteredOf(field('Boolean'), null)).toBe(false);
  });

  it('send text as typed; empty, null where null is a value, nothing where it is not and it is optional', () => {
    expect(sentValueOf(field('String'), ' sales ')).toEqual({ value: ' sales ' });
    expect(sentValueOf(field('String', { required: true, nullable: false }), '')).toEqual({ value: '' });
    expect(sentValueOf(field('String'), '')).toEqual({ value: null });
    expect(sentValueOf(field('String', { nullable: false }), '')).toEqual({ value: undefined });
    expect(sentValueOf(field('Int'), ' ')).toEqual({ value: null });
    expect(sentValueOf(field('Float', { nullable: false }), '')).toEqual({ value: undefined });
    expect(sentValueOf(field('Boolean'), false)).toEqual({ value: false });
    expect(sentValueOf(field('Boolean', { required: true }), true)).toEqual({ value: true });
  });

  it('send numbers as numbers, whole ones within GraphQL’s Int', () => {
    expect(sentValueOf(field('Int'), ' 42 ')).toEqual({ value: 42 });
    expect(sentValueOf(field('Int'), String(-(2 ** 31)))).toEqual({ value: -(2 ** 31) });
    expect(sentValueOf(field('Int'), String(2 ** 31 - 1))).toEqual({ value: 2 ** 31 - 1 });
    expect(sentValueOf(field('Float'), '1.5')).toEqual({ value: 1.5 });
  });

  it('refuse, before sending, a number that is not one, out of range, or required and left empty', () => {
    const whole = { problem: 'must be a whole number from -2147483648 to 2147483647' };
    expect(sentValueOf(field('Int'), '4.5')).toEqual(whole);
    expect(sentValueOf(field('Int'), String(2 ** 31))).toEqual(whole);
    expect(sentValueOf(field('Int'), 'three')).toEqual(whole);
    expect(sentValueOf(field('Float'), 'NaN')).toEqual({ problem: 'must be a number' });
    expect(sentValueOf(field('Int', { required: true }), '')).toEqual({ problem: 'is required' });
  });

  it('are hinted by their description’s first sentence, and shown plainly', () => {
    expect(hintOf(field('String', { description: 'What it is for. At most 1000 characters.' }))).toBe(
      'What it is for.',
    );
    expect(hintOf(field('String', { description: 'One sentence, no stop' }))).toBe('One sentence, no stop');
    expect(hintOf(field('String'))).toBeNull();
    expect([null, '', true, false, 3, 'sales'].map(shownValueOf)).toEqual(['None', 'None', 'Yes', 'No', '3', 'sales']);
  });
});
