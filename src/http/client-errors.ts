/**
 * Requests Node's HTTP parser refuses before any route sees them. A control character in a header
 * (a NUL in X-Request-Id, say) is bad input like any other: 400 in the interface's form (problem+json,
 * GraphQL's on /graphql), naming the header. A request line and headers over the size Node reads (a
 * query string too long, say) is 431 headers_too_large, in problem+json as every refusal of the API.
 * The rest (a request too slow, no HTTP at all) is answered as Fastify's own handler answers it,
 * which Fastify does not export.
 */
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { GRAPHQL_PATH } from '../graphql/yoga.ts';
import { invalidInput, problem } from '../rest/problem.ts';

interface ParserError extends Error {
  code?: string;
  /** Where the parser stopped: at the character it refused. */
  bytesParsed?: number;
  /** What was read of the request (a Buffer, whatever Fastify's types say). */
  rawPacket?: unknown;
}

/** The request's path, from what was read of it; '/' when none was. */
const pathRead = (read: string) => /^[A-Z]+ ([^\s?]+)/.exec(read)?.[1] ?? '/';

/** The header whose name or value holds a character HTTP refuses, and the request's path; else undefined. */
function refusedHeader(error: ParserError): { header: string; path: string } | undefined {
  const { code, rawPacket, bytesParsed } = error;
  if (code !== 'HPE_INVALID_HEADER_TOKEN' || !Buffer.isBuffer(rawPacket) || bytesParsed === undefined) return;
  const read = rawPacket.subarray(0, bytesParsed).toString('latin1');
  const line = read.slice(read.lastIndexOf('\n') + 1);
  const colon = line.indexOf(':');
  // The parser stops at the first bad character: a name read whole has none; one cut short is not quoted.
  const header = colon > 0 ? line.slice(0, colon) : 'a header name';
  return { header, path: pathRead(read) };
}

/** The answer to a request line and headers over the size Node reads: 431 headers_too_large, in problem+json. */
function tooLargeAnswer(error: ParserError): { status: number; type: string; body: string } {
  const read = Buffer.isBuffer(error.rawPacket) ? error.rawPacket.subarray(0, 2048).toString('latin1') : '';
  const detail = `The request line and headers are over ${maxHeaderSize} bytes, the most this service reads.`;
  const body = JSON.stringify(problem('headers_too_large', detail, { instance: pathRead(read) }));
  return { status: 431, type: 'application/problem+json', body };
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
  return { status: 400, body: '{"error":"Bad Request","message":"Client Error","statusCode":400}' };
}

/** The answer to a request the parser refused: ours for bad or too large headers, else Fastify's. */
function answerOf(error: ParserError): { status: number; type: string; body: string } {
  const refused = refusedHeader(error);
  if (refused) return { status: 400, ...headerAnswer(refused) };
  if (error.code === 'HPE_HEADER_OVERFLOW') return tooLargeAnswer(error);
  return { type: 'application/json', ...frameworkAnswer(error) };
}

/** Fastify's clientErrorHandler: answers the request the parser refused, and closes its connection. */
export function answerClientError(error: ParserError, socket: Socket): void {
  // A connection reset: nothing to answer, nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const { status, type, body } = answerOf(error);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
