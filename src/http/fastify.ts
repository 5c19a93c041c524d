/** The Fastify instance: the service's logger, one log line per request, request ids, the body limit and timeouts. */
import { createServer } from 'node:http';
import Fastify, { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { Logger } from '../logger.ts';
import { COLLECTION_PATH, notFoundProblem } from '../rest/database-connections.ts';
import { internalError } from '../rest/problem.ts';
import { routeNotFound } from '../rest/routes.ts';
import { answerClientError } from './client-errors.ts';
import { MAX_BODY_BYTES, pathOf, sendProblem } from './replies.ts';
import { requestIdOf } from './security.ts';

/** One log line per request, when it ends, instead of Fastify's two. */
class RequestLog extends LogController {
  override incomingRequest() {}
  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply) {
    const line = {
      method: request.method,
      path: pathOf(request),
      status: reply.statusCode,
      ms: reply.elapsedTime,
      apiKey: request.principal?.name,
      ...(error && { err: error }),
    };
    request.log.info(line, 'request');
  }
}

/** Fastify with the service's logger, request ids, body limit and timeouts. */
export function createFastify(logger: Logger, requestTimeoutMs: number) {
  return Fastify({
    loggerInstance: logger,
    logController: new RequestLog({ requestIdLogLabel: 'requestId' }),
    genReqId: (request) => requestIdOf(request),
    bodyLimit: MAX_BODY_BYTES,
    // A control character in a header is refused by Node's parser: 400 naming the header.
    clientErrorHandler: answerClientError,
    // Ids of any length are looked up (and not found), as before the router had a say.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 16 * 1024 },
    // A path that does not decode (`%E0%A4%A`) names no connection and no route.
    frameworkErrors: (error, request, reply) => {
      if (error.code !== 'FST_ERR_BAD_URL') return sendProblem(reply, internalError());
      const path = pathOf(request);
      const id = path.startsWith(`${COLLECTION_PATH}/`)
        ? path.slice(COLLECTION_PATH.length + 1).split('/')[0]
        : undefined;
      return sendProblem(reply, id === undefined ? routeNotFound(path).problem : notFoundProblem(id));
    },
    // Node checks for requests past their timeout every connectionsCheckingInterval (30 s by default).
    serverFactory: (handler) =>
      createServer(
        {
          requestTimeout: requestTimeoutMs,
          connectionsCheckingInterval: Math.min(1_000, requestTimeoutMs),
        },
        handler,
      ),
  });
}

export type HttpApp = ReturnType<typeof createFastify>;
