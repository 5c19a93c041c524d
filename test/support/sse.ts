/** A GraphQL-over-SSE subscriber, as a browser's EventSource or any SSE client would be. */

export interface Payload {
  data?: Record<string, any> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export interface Subscriber {
  /** The next event's `data`, within `timeoutMs`. */
  next(timeoutMs?: number): Promise<Payload>;
  /** Every event's `data` from now until the server ends the stream, which must be within `timeoutMs`. */
  untilEnd(timeoutMs: number): Promise<Payload[]>;
  close(): void;
}

export async function subscribe(
  baseUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  operationName?: string,
): Promise<Subscriber> {
  const controller = new AbortController();
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { accept: 'text/event-stream', 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables, operationName }),
    signal: controller.signal,
  });
  if (!response.body) throw new Error(`no event stream: ${response.status}`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  async function read(deadline: number): Promise<string> {
    for (;;) {
      const at = buffer.indexOf('\n\n');
      if (at >= 0) {
        const block = buffer.slice(0, at);
        buffer = buffer.slice(at + 2);
        const data = block
          .split('\n')
          .filter((line) => line.startsWith('data:'))
          .map((line) => line.slice(5).trim())
          .join('\n');
        if (data) return data;
        continue;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no event in time');
      const chunk = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no event in time')), left)),
      ]);
      if (chunk.done) throw new Error('the event stream ended');
      buffer += chunk.value;
    }
  }
  return {
    next: async (timeoutMs = 1_000) => JSON.parse(await read(Date.now() + timeoutMs)),
    async untilEnd(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      const payloads: Payload[] = [];
      for (;;) {
        try {
          payloads.push(JSON.parse(await read(deadline)));
        } catch (error) {
          if ((error as Error).message === 'the event stream ended') return payloads;
          throw new Error(`${(error as Error).message}; received: ${JSON.stringify(payloads)}`);
        }
      }
    },
    close: () => controller.abort(),
  };
}
