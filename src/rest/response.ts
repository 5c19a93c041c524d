import type { Readable } from 'node:stream';

/** What a REST handler answers, before the HTTP layer writes it. */
export interface RestResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A JSON body streamed as it is produced: long lists are sent page by page, never held whole. */
export class JsonStream {
  constructor(readonly stream: Readable) {}
}
