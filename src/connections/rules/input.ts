/**
 * The rules of a database connection document, derived from its fields
 * (./fields.ts) and run once, in the GraphQL resolvers, for both interfaces.
 */
import { z } from 'zod';
import { type Parameters, parameterProblems, uriOf } from '../../dialects/parameters.ts';
import { DIALECT_NAMES, type DialectName, dialectNamed } from '../../dialects/registry.ts';
import { type FieldProblem, fieldPath, ValidationError } from '../../validation.ts';

export { fieldPath };

import { CONNECTION_FIELDS, type ConnectionDocument, INPUT_FIELDS, missingMessage } from '../fields/fields.ts';
import { isJsonObject } from '../fields/values.ts';

export type { ConnectionDocument };

/** Create, and REST's PUT (which replaces the whole document): the defaults fill what is left out. */
const fullDocument = z.object(
  Object.fromEntries(
    INPUT_FIELDS.map(([name, { value, input }]) => [
      name,
      input?.required === false ? value.rules.optional().default(input.default) : value.rules,
    ]),
  ),
) as unknown as z.ZodType<ConnectionDocument>;

/** GraphQL's update: only the fields given change. */
const partialDocument = z
  .object(Object.fromEntries(INPUT_FIELDS.map(([name, { value }]) => [name, value.rules])))
  .partial() as unknown as z.ZodType<Partial<ConnectionDocument>>;

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ValidationError(
    result.error.issues.map((issue) => ({ field: fieldPath(issue.path), message: issue.message })),
  );
}

/**
 * The input with `dialect` and `parameters` turned into the `connectionUri` they spell, the
 * parameters checked against the dialect's declarations, and what is wrong with them.
 */
function spelledOut(input: unknown): { input: unknown; problems: FieldProblem[] } {
  if (!isJsonObject(input) || (input.dialect === undefined && input.parameters === undefined))
    return { input, problems: [] };
  const { dialect, parameters, ...rest } = input;
  const problems: FieldProblem[] = [];
  if (rest.connectionUri !== undefined)
    problems.push({ field: 'parameters', message: 'must not be sent with connectionUri: send one of the two forms' });
  if (dialect === undefined) problems.push({ field: 'dialect', message: 'is required with parameters' });
  if (parameters === undefined) problems.push({ field: 'parameters', message: 'is required with dialect' });
  else if (!isJsonObject(parameters)) problems.push({ field: 'parameters', message: 'must be a JSON object' });
  const known = DIALECT_NAMES.includes(dialect as DialectName);
  if (dialect !== undefined && !known) problems.push({ field: 'dialect', message: 'is not a dialect' });
  if (problems.length > 0 || !known || !isJsonObject(parameters)) return { input: rest, problems };
  const named = dialectNamed(dialect as DialectName);
  problems.push(...parameterProblems(named, parameters));
  if (problems.length > 0) return { input: rest, problems };
  return { input: { ...rest, connectionUri: uriOf(named, parameters as Parameters) }, problems };
}

/** The rules of a document, run on the input with its parameters spelled out; every problem of both, together. */
function parseSpelled<T>(schema: z.ZodType<T>, input: unknown): T {
  const spelled = spelledOut(input);
  let problems = spelled.problems;
  try {
    const document = parse(schema, spelled.input);
    if (problems.length === 0) return document;
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    // Parameters that could not be spelled out leave no URI: that is not a problem of its own.
    const rules = error.fieldErrors.filter((problem) => problems.length === 0 || problem.field !== 'connectionUri');
    problems = [...problems, ...rules].map((problem) =>
      problem.field === 'connectionUri' && problem.message === 'is required'
        ? { ...problem, message: missingMessage(CONNECTION_FIELDS.connectionUri) }
        : problem,
    );
  }
  throw new ValidationError(problems);
}

export function parseFullDocument(input: unknown): ConnectionDocument {
  return parseSpelled(fullDocument, input);
}

export function parsePartialDocument(input: unknown): Partial<ConnectionDocument> {
  return parseSpelled(partialDocument, input);
}
