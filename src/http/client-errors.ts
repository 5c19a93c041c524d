/**
 * Requests Node's HTTP parser refuses before any route sees them. A control character in a header
 * (a NUL in X-Request-Id, say) is bad input like any other: 400 in the interface's form (problem+json,
 * GraphQL's on /graphql), naming the header. The rest (a request too slow, headers too large, no
 * HTTP at all) is answered as Fastify's own handler answers it, which Fastify does not export.
 */
import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { GRAPHQL_PATH } from '../graphql/yoga.ts';
import { invalidInput } from '../rest/problem.ts';

interface ParserError extends Error {
  code?: string;
  /** Where the parser stopped: at the character it refused. */
  bytesParsed?: number;
  /** What was read of the request (a Buffer, whatever Fastify's types say). */
  rawPacket?: unknown;
}

/** The header whose name or value holds a character HTTP refuses, and the request's path; else undefined. */
function refusedHeader(error: ParserError): { header: string; path: string } | undefined {
  const { code, rawPacket, bytesParsed } = error;
  if (code !== 'HPE_INVALID_HEADER_TOKEN' || !Buffer.isBuffer(rawPacket) || bytesParsed === undefined) return;
  const read = rawPacket.subarray(0, bytesParsed).toString('latin1');
  const line = read.slice(read.lastIndexOf('\n') + 1);
  const colon = line.indexOf(':');
  // The parser stops at the first bad character: a name read whole has none; one cut short is not quoted.
  const header = colon > 0 ? line.slice(0, colon) : 'a header name';
  const path = /^[A-Z]+ ([^\s?]+)/.exec(read)?.[1] ?? '/';
  return { header, path };
}

/** The answer to a request with a bad header: REST's problem, or GraphQL's error shape on /graphql. */
function headerAnswer({ header, path }: { header: string; path: string }): { type: string; body: string } {
  const { problem } = invalidInput(
    [{ field: header, message: 'must not contain control characters' }],
    `header ${header}`,
  );
  if (path === GRAPHQL_PATH) {
    const errors = [{ message: problem.detail, extensions: { code: problem.code.toUpperCase(), field: header } }];
    return { type: 'application/json; charset=utf-8', body: JSON.stringify({ errors }) };
  }
  return { type: 'application/problem+json', body: JSON.stringify({ ...problem, instance: path }) };
}

/** Fastify's answers to the other refusals, as its default handler gives them. */
function frameworkAnswer(error: ParserError): { status: number; body: string } {
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, body: '{"error":"Request Timeout","message":"Client Timeout","statusCode":408}' };
  }
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    const message = 'Exceeded maximum allowed HTTP header size';
    return { status: 431, body: `{"error":"Request Header Fields Too Large","message":"${message}","statusCode":431}` };
  }
  return { status: 400, body: '{"error":"Bad Request","message":"Client Error","statusCode":400}' };
}

/** Fastify's clientErrorHandler: answers the request the parser refused, and closes its connection. */
export function answerClientError(error: ParserError, socket: Socket): void {
  // A connection reset: nothing to answer, nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const refused = refusedHeader(error);
  const { status, type, body } = refused
    ? { status: 400, ...headerAnswer(refused) }
    : { type: 'application/json', ...frameworkAnswer(error) };
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
