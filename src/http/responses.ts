/** Writing JSON and problem+json responses, and pages for browsers. */
import type { ServerResponse } from 'node:http';
import type { Problem } from '../rest/problem.ts';

type HeaderMap = Record<string, string>;

export const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

/** A body serialized already: long lists are turned into text page by page, not held as objects. */
export class JsonText {
  constructor(readonly text: string) {}
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: HeaderMap = {}) {
  // Encoded once: both the length and the write need the bytes.
  const bytes = Buffer.from(body instanceof JsonText ? body.text : JSON.stringify(body));
  response.writeHead(status, {
    'content-type': status >= 400 ? 'application/problem+json' : JSON_TYPE['content-type'],
    'content-length': bytes.length,
    ...headers,
  });
  response.end(bytes);
}

export function sendProblem(response: ServerResponse, value: Problem, instance: string, headers: HeaderMap = {}) {
  sendJson(response, value.status, { ...value, instance }, headers);
}

/** A page for browsers (the explorers and their assets), under its own Content-Security-Policy. */
export function sendPage(
  response: ServerResponse,
  contentType: string,
  contentSecurityPolicy: string,
  body: string | Buffer,
) {
  response.writeHead(200, {
    'content-type': contentType,
    'content-security-policy': contentSecurityPolicy,
    'cache-control': 'no-cache',
  });
  response.end(body);
}
