/**
 * Idempotency-Key on POST (after the IETF draft "The Idempotency-Key HTTP Header Field"): the
 * first successful response to a key is answered again for the same key and request, so a client
 * may retry a create whose answer it lost without creating a second connection. The records are
 * kept behind their own door (the application layer's idempotency records, handed in by the HTTP
 * server); here, what the header must be and what each outcome answers.
 */
import type { RestRequest } from './body.ts';
import { ProblemResponse, problem } from './problem.ts';
import type { RestResponse } from './response.ts';

const KEY_FORMAT = /^[\x21-\x7e]{1,255}$/;

/** The request's Idempotency-Key, if any; 400 when it is not 1 to 255 visible ASCII characters. */
export function idempotencyKeyOf(request: RestRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  if (key === undefined) return undefined;
  if (typeof key === 'string' && KEY_FORMAT.test(key)) return key;
  const message = 'must be 1 to 255 visible ASCII characters, sent once';
  throw new ProblemResponse(
    problem('validation_failed', `The Idempotency-Key header ${message}.`, {
      errors: [{ field: 'Idempotency-Key', message }],
    }),
  );
}

const reused = () =>
  new ProblemResponse(
    problem(
      'idempotency_key_reused',
      'This Idempotency-Key was used with another request in the last 24 hours: use a new key for a new request.',
    ),
  );

const inProgress = () =>
  new ProblemResponse(
    problem('idempotency_key_in_use', 'A request with this Idempotency-Key is still being processed. Retry shortly.'),
    { 'retry-after': '1' },
  );

export type Idempotency = (
  owner: string,
  key: string,
  request: unknown,
  run: () => Promise<RestResponse>,
  /** What of the response is kept and replayed: it is stored in the database, so no secret may be in it. */
  keep: (response: RestResponse) => RestResponse,
) => Promise<RestResponse>;

/** The records of Idempotency-Keys, as the adapter uses them. */
export interface IdempotencyRecords {
  /** Claims the key for the request: claimed, a kept response (JSON text) to answer again, or a refusal. */
  claim(
    owner: string,
    key: string,
    request: unknown,
  ): Promise<{ claimed: true } | { replay: string } | { refused: 'reused' | 'in_use' }>;
  keep(owner: string, key: string, response: string): Promise<void>;
  release(owner: string, key: string): Promise<void>;
}

export function createIdempotency(records: IdempotencyRecords): Idempotency {
  return async (owner, key, request, run, keep) => {
    const outcome = await records.claim(owner, key, request);
    if ('refused' in outcome) throw outcome.refused === 'reused' ? reused() : inProgress();
    if ('replay' in outcome) {
      const kept = JSON.parse(outcome.replay) as RestResponse;
      return { ...kept, headers: { ...kept.headers, 'idempotent-replayed': 'true' } };
    }
    // Only a success is kept: after a failure the client may correct the request and retry with the same key.
    let response: RestResponse | undefined;
    try {
      response = await run();
      return response;
    } finally {
      if (response && response.status < 300) await records.keep(owner, key, JSON.stringify(keep(response)));
      else await records.release(owner, key);
    }
  };
}
