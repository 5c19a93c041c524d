/** Reads a REST request body: JSON only, at most 1 MiB. */
import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, readBody } from '../http/body.ts';
import { ProblemResponse, problem } from './problem.ts';

function isJsonContentType(header: string | undefined): boolean {
  if (!header) return false;
  const [mediaType, ...parameters] = header.split(';').map((part) => part.trim().toLowerCase());
  const charset = parameters.find((parameter) => parameter.startsWith('charset='))?.slice('charset='.length);
  return mediaType === 'application/json' && (charset === undefined || charset.replace(/"/g, '') === 'utf-8');
}

/** The parsed body, which must be a JSON object. */
export async function readJsonObject(request: IncomingMessage): Promise<Record<string, unknown>> {
  if (!isJsonContentType(request.headers['content-type'])) {
    throw new ProblemResponse(
      problem('unsupported_media_type', 'The request body must be JSON, sent with Content-Type: application/json.'),
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readBody(request);
  } catch (error) {
    if (error instanceof BodyTooLargeError) throw new ProblemResponse(problem('payload_too_large', error.message));
    throw error;
  }
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    // The parser's own message quotes the body, which may hold a password: say only what is wrong.
    throw new ProblemResponse(problem('malformed_json', 'The request body is not valid JSON.'));
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ProblemResponse(
      problem('validation_failed', 'The request body must be a JSON object.', {
        errors: [{ field: '', message: 'must be a JSON object' }],
      }),
    );
  }
  return body as Record<string, unknown>;
}
