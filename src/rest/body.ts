/**
 * A REST request's JSON body: the HTTP framework has parsed it already (within
 * its size limit); here the media type and the top-level shape are checked.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { ProblemResponse, problem } from './problem.ts';

/** What the REST handlers read of a request, whichever framework serves it. */
export interface RestRequest {
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** What a handler gets: the request, its query parameters read, its body checked and renamed. */
export interface RoutedRequest extends RestRequest {
  /** The path's parameters: `id`, or a workspace's `name`. */
  params: { id?: string; name?: string };
  parameters: Record<string, string | number | boolean | undefined>;
  /** The GraphQL input the body became (routes with a body). */
  input: Record<string, unknown>;
}

function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [mediaType, ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
  const charset = parameters.find((parameter) => parameter.startsWith('charset='))?.slice('charset='.length);
  return mediaType === 'application/json' && (charset === undefined || charset.replace(/"/g, '') === 'utf-8');
}

export const unsupportedMediaType = () =>
  new ProblemResponse(
    problem('unsupported_media_type', 'The request body must be JSON, sent with Content-Type: application/json.'),
  );

/**
 * The body, which must be a JSON object sent as application/json (UTF-8). No body (or an empty
 * one) is an empty object, whatever the content type: the fields it lacks are named as missing.
 */
export function jsonObjectBody(request: RestRequest): Record<string, unknown> {
  const { body } = request;
  if (body === undefined) return {};
  if (!isJsonContentType(request.headers['content-type'])) throw unsupportedMediaType();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProblemResponse(
      problem('validation_failed', 'The request body must be a JSON object.', {
        errors: [{ field: '', message: 'must be a JSON object' }],
      }),
    );
  }
  return body as Record<string, unknown>;
}
