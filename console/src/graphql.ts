/**
 * The console's GraphQL client: queries and mutations as JSON over POST /graphql, subscriptions as
 * GraphQL over Server-Sent Events read from a fetch stream (EventSource cannot send the key).
 */
import { currentToken } from './auth.ts';
import type { KnownFields, Result, Variables } from './typed.ts';

/** The service refused the key or token the console presents (unknown, revoked or expired). */
export class Unauthenticated extends Error {
  constructor() {
    super('The service refused the key or token (unknown, revoked or expired).');
  }
}

/** Told when the service refuses the console's credential after sign-in; nothing before. */
let signInEnded = () => {};

/** Tells `handler` when the service refuses the credential from now on; answers a function that stops telling it. */
export function onSignInEnded(handler: () => void): () => void {
  signInEnded = handler;
  return () => {
    if (signInEnded === handler) signInEnded = () => {};
  };
}

/** The service refused the credential: whoever follows the sign-in is told, and the caller learns it by the error. */
function unauthenticated(): Unauthenticated {
  signInEnded();
  return new Unauthenticated();
}

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
  if (response.status === 401) throw unauthenticated();
  const body = (await response.json().catch(() => ({}))) as Response<Result<Text>> & Problem;
  if (!response.ok && !body.errors)
    throw new RequestError(body.detail ?? `The service answered ${response.status}.`, body.code);
  const [error] = body.errors ?? [];
  if (error) throw new RequestError(error.message, error.extensions?.code);
  return body.data as Result<Text>;
}

/** How long to wait before opening a dropped stream again, at first and at most (doubling between). */
const RETRY_MS = { first: 2_000, most: 30_000 };

/**
 * How a stream ended: `again` after a pause, or refused with why, which asking again will not
 * change. Dropped, the service restarting or busy, the credential's grants changed (a stream opened
 * now has those that hold now; a revoked or expired one is refused at sign-in): again.
 */
type StreamEnd = 'again' | { refused: string };

/**
 * Runs a subscription until stopped, calling `onData` with each event and `onState` when it goes
 * live, drops (it is opened again, each time after a longer pause), or is refused for good (with
 * why: then it is not asked again). Answers a function that stops it.
 */
export function subscribe<Text extends string>(
  query: Text & KnownFields<Text>,
  onData: (data: Result<Text>) => void,
  onState: (live: boolean, refused?: string) => void = () => {},
): () => void {
  const stop = new AbortController();
  const run = async () => {
    let pause = RETRY_MS.first;
    const live = () => {
      pause = RETRY_MS.first;
      onState(true);
    };
    while (!stop.signal.aborted) {
      // Thrown: dropped, or stopped.
      const end: StreamEnd = await stream<Result<Text>>(query, onData, live, stop.signal).catch(() => 'again');
      if (stop.signal.aborted) return;
      if (end !== 'again') return onState(false, end.refused);
      onState(false);
      await new Promise((resolve) => setTimeout(resolve, pause));
      pause = Math.min(pause * 2, RETRY_MS.most);
    }
  };
  void run();
  return () => stop.abort();
}

/** One stream of a subscription, read to its end: how it ended. */
async function stream<T>(
  query: string,
  onData: (data: T) => void,
  onLive: () => void,
  signal: AbortSignal,
): Promise<StreamEnd> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: headers('text/event-stream'),
    body: JSON.stringify({ query }),
    signal,
  });
  if (response.status === 401) return { refused: unauthenticated().message };
  if (!response.ok || !response.body) return 'again';
  onLive();
  let last: Response<T>['errors'];
  await readEvents(response.body, (event) => {
    const { data, errors } = JSON.parse(event) as Response<T>;
    if (data) onData(data);
    last = errors ?? last;
  });
  const [error] = last ?? [];
  return error?.extensions?.code === 'FORBIDDEN' ? { refused: error.message } : 'again';
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
