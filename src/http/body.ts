/** Reading a request body with a size limit, for REST and GraphQL alike. */
import type { IncomingMessage } from 'node:http';

const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {
  constructor() {
    super(`The request body must be at most ${MAX_BODY_BYTES} bytes.`);
  }
}

/** The whole body; throws BodyTooLargeError as soon as it is known to exceed the limit. */
export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const tooLarge = () => {
    // Discard the rest, so that the response can still be read by the client.
    request.resume();
    return new BodyTooLargeError();
  };
  if (Number(request.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
