/** RFC 9457 problem details: the body of every REST error. */
import { STATUS_CODES } from 'node:http';
import { type ErrorCode, statusOf } from '../error-codes.ts';
import { RETRY_AFTER_SECONDS } from '../graphql/entry.ts';
import type { FieldProblem } from '../validation.ts';

export interface Problem {
  /** `about:blank`: the HTTP status says what kind of problem it is, `code` says exactly which. */
  type: 'about:blank';
  title: string;
  status: number;
  detail: string;
  /** Stable snake_case identifier for programs to branch on. */
  code: ErrorCode;
  instance?: string;
  errors?: FieldProblem[];
  /** Why a connection test failed (connection_failed, unknown_schema). */
  reason?: { code: string; message: string };
}

/** A problem with this code, its status from the catalogue of error codes. */
export function problem(code: ErrorCode, detail: string, extra: Partial<Problem> = {}): Problem {
  const status = statusOf(code);
  return { type: 'about:blank', title: STATUS_CODES[status] ?? 'Error', status, detail, code, ...extra };
}

/** 400 validation_failed listing every invalid field; `where`: what was invalid, e.g. "request body". */
export function invalidInput(
  errors: FieldProblem[],
  where = 'request body',
  code: 'validation_failed' | 'invalid_secret_reference' = 'validation_failed',
): ProblemResponse {
  const summary = errors.map(({ field, message }) => `${field} ${message}`).join('; ');
  return new ProblemResponse(problem(code, `The ${where} is invalid: ${summary}.`, { errors }));
}

export const internalError = () =>
  problem('internal_error', 'An unexpected error occurred. It has been logged; please try again later.');

/** A REST response that stops the request early: thrown by body parsing and routing, caught by the handler. */
export class ProblemResponse extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Record<string, string> = {},
  ) {
    super(problem.detail);
  }
}

/** The database is out of reach (REST's form of GraphQL's DATABASE_UNAVAILABLE): worth retrying shortly. */
export const databaseUnavailable = () =>
  new ProblemResponse(
    problem('database_unavailable', `The database is unavailable. Retry in ${RETRY_AFTER_SECONDS} seconds.`),
    { 'retry-after': String(RETRY_AFTER_SECONDS) },
  );
