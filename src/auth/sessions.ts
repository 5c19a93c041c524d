/**
 * What a caller holds open (a subscription) lasts as long as the credential it was opened with: a
 * key made through the API until it is revoked or its grants change (a workspace renamed or
 * deleted), a key or token with an expiry until then. Each stream is checked twice over: before
 * each delivery (the key's row read again, after what is delivered was read, so nothing read after
 * the end goes out) and, while it waits, every SESSION_CHECK_MS (the rows of every open stream's
 * keys in one query), so that a stream ends within a second or so of its credential, whichever
 * instance revoked it.
 */
import type { Logger } from '../logger.ts';
import type { KeyState, ManagedKeyReader, Principal } from './api-keys.ts';

/** How often the open streams' credentials are read again while they wait. */
export const SESSION_CHECK_MS = 1_000;

export const CREDENTIAL_END_REASONS = ['revoked', 'expired', 'grants_changed'] as const;
export type CredentialEndReason = (typeof CREDENTIAL_END_REASONS)[number];

/** Why a credential no longer holds: what a stream opened with it ends with. */
export class CredentialEnded {
  constructor(
    readonly reason: CredentialEndReason,
    readonly message: string,
  ) {}
}

/** Why the principal's credential has ended by now (`key`: its row read now, null when it is gone), if it has. */
function endOf(principal: Principal, key: KeyState | null | undefined, now: Date): CredentialEnded | undefined {
  const { managedKey, expiresAt } = principal;
  const what = managedKey ? 'The API key' : 'The access token';
  if (expiresAt && expiresAt <= now) return new CredentialEnded('expired', `${what} expired.`);
  if (!managedKey) return undefined;
  if (!key || key.revokedAt) return new CredentialEnded('revoked', 'The API key was revoked.');
  if (key.grants !== managedKey.grants) {
    return new CredentialEnded(
      'grants_changed',
      "The API key's grants changed (a workspace was renamed or deleted): subscribe again to go on with those it has now.",
    );
  }
  return undefined;
}

/** One stream a caller holds open. */
interface Session {
  principal: Principal;
  /** Set once the credential is found ended. */
  ended?: CredentialEnded;
  /** Told when the periodic check ends the session, or the service stops, while the stream waits for its next item. */
  wake?: (outcome: CredentialEnded | typeof FINISHED) => void;
}

/** What a stream's next item is once the service stops: none, so its answer completes. */
const FINISHED = { done: true, value: undefined } as const;

/** The open sessions of one service, and what watches their credentials. */
interface Watch {
  readonly open: Set<Session>;
  readonly keys: Pick<ManagedKeyReader, 'states'>;
  readonly logger: Logger;
  readonly checkMs: number;
  timer?: NodeJS.Timeout;
  /** A periodic check is under way (the next tick skips its round). */
  checking: boolean;
  stopping: boolean;
}

function endSession(session: Session, ended: CredentialEnded) {
  session.ended ??= ended;
  session.wake?.(session.ended);
}

/** Reads the credential of every open session again, its keys' rows in one query. */
async function checkAll(watch: Watch) {
  if (watch.checking) return;
  watch.checking = true;
  try {
    const ids = new Set([...watch.open].flatMap(({ principal }) => principal.managedKey?.id ?? []));
    const states = ids.size > 0 ? await watch.keys.states([...ids]) : new Map<string, KeyState>();
    const now = new Date();
    for (const session of watch.open) {
      const ended = endOf(session.principal, states.get(session.principal.managedKey?.id ?? ''), now);
      if (ended) endSession(session, ended);
    }
  } catch (error) {
    // Each delivery still checks its credential first: a failed round ends nothing, and lets nothing through.
    watch.logger.warn({ err: error }, 'checking the credentials of open subscriptions failed');
  } finally {
    watch.checking = false;
  }
}

/** Reads one session's credential again, now; ends it when the credential has ended. */
async function checkOne(watch: Watch, session: Session): Promise<CredentialEnded | undefined> {
  if (session.ended) return session.ended;
  const { managedKey } = session.principal;
  const state = managedKey && (await watch.keys.states([managedKey.id])).get(managedKey.id);
  const ended = endOf(session.principal, state ?? null, new Date());
  if (ended) endSession(session, ended);
  return session.ended;
}

function opened(watch: Watch, principal: Principal): Session {
  const session: Session = { principal };
  watch.open.add(session);
  watch.timer ??= setInterval(() => void checkAll(watch), watch.checkMs).unref();
  return session;
}

function closed(watch: Watch, session: Session) {
  watch.open.delete(session);
  if (watch.open.size > 0 || !watch.timer) return;
  clearInterval(watch.timer);
  watch.timer = undefined;
}

/** The next item of `source`, or the session's end if it comes first. */
function nextOrEnd<T>(watch: Watch, session: Session, source: AsyncIterator<T>) {
  return new Promise<IteratorResult<T> | CredentialEnded>((resolve, reject) => {
    if (session.ended) return resolve(session.ended);
    if (watch.stopping) return resolve(FINISHED);
    session.wake = resolve;
    source.next().then(resolve, reject);
  }).finally(() => {
    session.wake = undefined;
  });
}

/** The stream `guard` answers with, for a session just opened. */
function guardedStream<T, D>(
  watch: Watch,
  session: Session,
  source: AsyncIterator<T>,
  prepare: (item: T) => Promise<D>,
): AsyncIterableIterator<D | CredentialEnded> {
  let done = false;
  const finish = async () => {
    done = true;
    closed(watch, session);
    await source.return?.();
  };
  /** The end, as the last item. */
  const last = async (ended: CredentialEnded) => {
    await finish();
    return { done: false as const, value: ended };
  };
  const iterator: AsyncIterableIterator<D | CredentialEnded> = {
    async next() {
      if (done) return { done: true, value: undefined };
      try {
        const item = await nextOrEnd(watch, session, source);
        if (item instanceof CredentialEnded) return await last(item);
        if (item.done) {
          await finish();
          return { done: true, value: undefined };
        }
        const delivery = await prepare(item.value);
        const ended = await checkOne(watch, session);
        return ended ? await last(ended) : { done: false, value: delivery };
      } catch (error) {
        await finish();
        throw error;
      }
    },
    async return() {
      if (!done) await finish();
      return { done: true, value: undefined };
    },
    async throw(error) {
      if (!done) await finish();
      throw error;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

export function createSessions(keys: Pick<ManagedKeyReader, 'states'>, logger: Logger, checkMs = SESSION_CHECK_MS) {
  const watch: Watch = { open: new Set(), keys, logger, checkMs, checking: false, stopping: false };
  return {
    /**
     * The items of `source` for `principal` while its credential holds: each one prepared (`prepare`
     * reads what will be delivered) and then delivered only if the credential, read again, still
     * holds. Once it has ended (found so then, or by the periodic check while waiting): why, once,
     * then no more; the source is returned.
     */
    guard<T, D>(
      principal: Principal,
      source: AsyncIterator<T>,
      prepare: (item: T) => Promise<D>,
    ): AsyncIterableIterator<D | CredentialEnded> {
      return guardedStream(watch, opened(watch, principal), source, prepare);
    },

    /** Streams open now. */
    size: () => watch.open.size,

    /**
     * The service is stopping: every open stream completes now (its client sees the end, not a cut),
     * so that shutting down does not wait for them until SHUTDOWN_TIMEOUT_MS.
     */
    stop() {
      watch.stopping = true;
      clearInterval(watch.timer);
      watch.timer = undefined;
      for (const session of watch.open) session.wake?.(FINISHED);
    },
  };
}

export type Sessions = ReturnType<typeof createSessions>;
