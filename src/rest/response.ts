/** What a REST handler answers, before the HTTP layer writes it. */
export interface RestResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** A body serialized already: long lists are turned into text page by page, not held as objects. */
export class JsonText {
  constructor(readonly text: string) {}
}
