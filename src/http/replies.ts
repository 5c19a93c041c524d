/** Answering errors over HTTP: problem+json on REST, the GraphQL shape on /graphql, and what the framework refuses. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { GRAPHQL_PATH } from '../graphql/yoga.ts';
import { unsupportedMediaType } from '../rest/body.ts';
import { type Problem, ProblemResponse, problem } from '../rest/problem.ts';

/** The largest request body, on both interfaces. */
export const MAX_BODY_BYTES = 1024 * 1024;

export const pathOf = (request: FastifyRequest) => request.url.split('?', 1)[0] ?? '/';

/**
 * The path a decision goes by (whether a key is needed, which form an answer takes): the route the
 * router matched, however the request spelled it (`/%61pi/…`, whose letters it decodes, or the
 * absolute form `http://host/api/…`); for a path that matches no route, the path as written.
 */
export const routedPathOf = (request: FastifyRequest) => request.routeOptions.url ?? pathOf(request);

export function sendProblem(reply: FastifyReply, value: Problem, headers: Record<string, string> = {}) {
  // Sent as bytes: given an object or a string, Fastify adds a charset to the media type.
  return reply
    .code(value.status)
    .headers({ ...headers, 'content-type': 'application/problem+json' })
    .send(Buffer.from(JSON.stringify({ ...value, instance: pathOf(reply.request) })));
}

/** /graphql answers errors outside execution in the GraphQL shape, its code in capitals. */
function sendGraphQLError(reply: FastifyReply, value: Problem, headers: Record<string, string> = {}) {
  return reply
    .code(value.status)
    .headers(headers)
    .type('application/json; charset=utf-8')
    .send({ errors: [{ message: value.detail, extensions: { code: value.code.toUpperCase() } }] });
}

/** A problem answered in the form of the interface asked: GraphQL's on /graphql, problem+json elsewhere. */
export function sendRefusal(reply: FastifyReply, refusal: ProblemResponse) {
  return routedPathOf(reply.request) === GRAPHQL_PATH
    ? sendGraphQLError(reply, refusal.problem, refusal.headers)
    : sendProblem(reply, refusal.problem, refusal.headers);
}

/** The problem a request error of the framework stands for (body too large, not JSON). */
export function frameworkProblem(error: FastifyError): ProblemResponse | undefined {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new ProblemResponse(
      problem('payload_too_large', `The request body must be at most ${MAX_BODY_BYTES} bytes.`),
    );
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return unsupportedMediaType();
  return undefined;
}
