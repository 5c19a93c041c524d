/**
 * The console's GraphQL client: queries and mutations as JSON over POST /graphql, subscriptions as
 * GraphQL over Server-Sent Events read from a fetch stream (EventSource cannot send the key).
 */
import { currentToken } from './auth.ts';
import type { KnownFields, Result, Variables } from './typed.ts';

export class Unauthenticated extends Error {}

/** A GraphQL error (FORBIDDEN, …): its message and code. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const headers = (accept: string) => {
  const token = currentToken();
  return {
    'content-type': 'application/json',
    accept,
    ...(token ? { authorization: `Bearer ${token}` } : {}),
  };
};

interface Response<T> {
  data?: T;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** A refusal before GraphQL ran (429 too many requests, 403 a foreign origin…): its problem+json. */
interface Problem {
  code?: string;
  detail?: string;
}

/** An operation's variables: none to pass when it takes none. */
type VariablesFor<Text extends string> =
  Record<string, never> extends Variables<Text> ? [variables?: Variables<Text>] : [Variables<Text>];

/** Runs a query or mutation; its answer and variables are typed from its text (operations.ts). */
export async function request<Text extends string>(
  query: Text & KnownFields<Text>,
  ...[variables]: VariablesFor<Text>
): Promise<Result<Text>> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: headers('application/graphql-response+json, application/json'),
    body: JSON.stringify({ query, variables: variables ?? {} }),
  });
  if (response.status === 401) throw new Unauthenticated();
  const body = (await response.json().catch(() => ({}))) as Response<Result<Text>> & Problem;
  if (!response.ok && !body.errors)
    throw new RequestError(body.detail ?? `The service answered ${response.status}.`, body.code);
  const [error] = body.errors ?? [];
  if (error) throw new RequestError(error.message, error.extensions?.code);
  return body.data as Result<Text>;
}

/**
 * Runs a subscription until stopped, calling `onData` with each event; reconnects after a drop
 * (`onState` tells when it is live). Answers a function that stops it.
 */
export function subscribe<Text extends string>(
  query: Text & KnownFields<Text>,
  onData: (data: Result<Text>) => void,
  onState: (live: boolean) => void = () => {},
): () => void {
  const stop = new AbortController();
  const run = async () => {
    while (!stop.signal.aborted) {
      try {
        const response = await fetch('/graphql', {
          method: 'POST',
          headers: headers('text/event-stream'),
          body: JSON.stringify({ query }),
          signal: stop.signal,
        });
        if (!response.ok || !response.body) throw new Error(`subscription: ${response.status}`);
        onState(true);
        await readEvents(response.body, (event) => {
          const { data } = JSON.parse(event) as Response<Result<Text>>;
          if (data) onData(data);
        });
      } catch {
        // Dropped, or stopped: try again shortly unless stopped.
      }
      onState(false);
      if (!stop.signal.aborted) await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  };
  void run();
  return () => stop.abort();
}

/** Calls `onEvent` with the data of each `next` event of a Server-Sent Events stream. */
async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (data: string) => void) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffered += decoder.decode(value, { stream: true });
    let end = buffered.indexOf('\n\n');
    while (end >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const lines = block.split('\n');
      const data = lines.filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trimStart());
      if (lines.includes('event: next') && data.length > 0) onEvent(data.join('\n'));
      end = buffered.indexOf('\n\n');
    }
  }
}
