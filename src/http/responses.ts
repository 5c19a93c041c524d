/** Writing JSON and problem+json responses. */
import type { ServerResponse } from 'node:http';
import type { Problem } from '../rest/problem.ts';

type HeaderMap = Record<string, string>;

export const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: HeaderMap = {}) {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': status >= 400 ? 'application/problem+json' : JSON_TYPE['content-type'],
    'content-length': Buffer.byteLength(json),
    ...headers,
  });
  response.end(json);
}

export function sendProblem(response: ServerResponse, value: Problem, instance: string, headers: HeaderMap = {}) {
  sendJson(response, value.status, { ...value, instance }, headers);
}
