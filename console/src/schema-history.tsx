/**
 * A connection's schema history: when its catalog was last scanned, Scan now, and what the scans
 * found changed, newest first, a page at a time. Reading the latest snapshot scans when there is
 * none yet or the connection changed since (the API's rule).
 */
import { Fragment } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { request } from './graphql.ts';
import { SCHEMA_CHANGES, SCHEMA_SNAPSHOT, type SchemaChange, type SchemaSnapshot } from './operations.ts';
import { Banner, count, failureText, LongValue, when } from './ui.tsx';

const GONE = 'The connection is gone (deleted, or no longer yours to see).';

/** What a scan's change says of its path: something added, removed, or changed from one value to another. */
type Group = 'added' | 'removed' | 'changed';
/**
 * How each kind of change reads; exhaustive, so a kind new to the API fails the console's type check until worded.
 * A subject of null: the change's value (`table` or `view`) names what was added or removed, and says nothing more.
 */
const WORDING: Record<SchemaChange['kind'], { group: Group; subject: string | null }> = {
  TABLE_ADDED: { group: 'added', subject: null },
  TABLE_REMOVED: { group: 'removed', subject: null },
  COLUMN_ADDED: { group: 'added', subject: 'column' },
  COLUMN_REMOVED: { group: 'removed', subject: 'column' },
  TYPE_CHANGED: { group: 'changed', subject: 'type of' },
  NULLABILITY_CHANGED: { group: 'changed', subject: 'nullability of' },
  KEY_CHANGED: { group: 'changed', subject: 'key of' },
  COMMENT_CHANGED: { group: 'changed', subject: 'comment of' },
};

/** The latest snapshot, scanned now when `refresh`; a refused scan throws, saying why. */
async function readSnapshot(id: string, refresh: boolean): Promise<SchemaSnapshot> {
  const { databaseConnection } = await request(SCHEMA_SNAPSHOT, { id, refresh });
  if (!databaseConnection) throw new Error(GONE);
  const read = databaseConnection.schemaSnapshot;
  if (read.__typename !== 'SchemaSnapshotSuccess') throw new Error(failureText(read));
  return read.snapshot;
}

/** A page of changes, newest first, after the cursor `after`; `next`: the cursor of the page after it, if any. */
async function readChanges(id: string, after?: string) {
  const { databaseConnection } = await request(SCHEMA_CHANGES, { id, after });
  if (!databaseConnection) throw new Error(GONE);
  const { edges, pageInfo } = databaseConnection.schemaChanges;
  return { changes: edges.map((edge) => edge.node), next: pageInfo.hasNextPage ? pageInfo.endCursor : null };
}

/** What Scan now found, told beside the time it shows. */
function scanOutcome(before: SchemaSnapshot | undefined, after: SchemaSnapshot) {
  if (!before) return 'Scanned.';
  return before.contentHash === after.contentHash
    ? 'Scanned: no change since the last scan.'
    : 'Scanned: the schema changed, as listed below.';
}

type Busy = 'reading' | 'scanning' | 'paging';
const BUSY_WORDS: Record<Busy, string> = {
  reading: 'Reading the schema history…',
  scanning: 'Scanning…',
  paging: 'Reading more changes…',
};

function useSchemaHistory(id: string) {
  const [snapshot, setSnapshot] = useState<SchemaSnapshot>();
  const [changes, setChanges] = useState<SchemaChange[]>();
  const [next, setNext] = useState<string | null>(null);
  const [busy, setBusy] = useState<Busy>();
  const [problem, setProblem] = useState<string>();
  const [outcome, setOutcome] = useState<string>();
  /** Where the last page read begins in `changes`: the focus goes there, the button that asked for it gone. */
  const [pageStart, setPageStart] = useState<number>();

  const attempt = (step: () => Promise<void>) => step().catch((error: Error) => setProblem(error.message));
  const begin = (what: Busy) => {
    setBusy(what);
    setProblem(undefined);
    setOutcome(undefined);
  };
  /**
   * The snapshot (scanned when `refresh`), then the first page of changes: after it, so that it holds
   * the scan's; what the scan found is said once they are listed.
   */
  const read = async (refresh: boolean) => {
    begin(refresh ? 'scanning' : 'reading');
    let found: SchemaSnapshot | undefined;
    await attempt(async () => {
      found = await readSnapshot(id, refresh);
      setSnapshot(found);
    });
    await attempt(async () => {
      const page = await readChanges(id);
      setChanges(page.changes);
      setNext(page.next);
      setPageStart(undefined);
    });
    if (refresh && found) setOutcome(scanOutcome(snapshot, found));
    setBusy(undefined);
  };
  const more = async () => {
    if (!next) return;
    begin('paging');
    await attempt(async () => {
      const page = await readChanges(id, next);
      setPageStart(changes?.length ?? 0);
      setChanges([...(changes ?? []), ...page.changes]);
      setNext(page.next);
    });
    setBusy(undefined);
  };
  return { snapshot, changes, next, busy, problem, outcome, pageStart, read, more };
}

/** The time now, again every 15 s: relative times stay true while the page is open. */
function useNow() {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
];

/** `5 minutes ago`, in the browser's language; a time ahead of this clock reads as now. */
function ago(iso: string, now: number) {
  const seconds = Math.min(0, Math.round((new Date(iso).getTime() - now) / 1000));
  const [unit, size] = UNITS.find(([, size]) => -seconds >= size) ?? ['second', 1];
  return new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }).format(Math.round(seconds / size), unit);
}

/** A moment as long ago as it was, the date and time itself on hover and to a screen reader. */
const Ago = ({ iso, now }: { iso: string; now: number }) => (
  <time dateTime={iso} title={when(iso)}>
    {ago(iso, now)}
    <span class="visually-hidden"> ({when(iso)})</span>
  </time>
);

function LastScan({ snapshot, now }: { snapshot: SchemaSnapshot | undefined; now: number }) {
  if (!snapshot) return <p class="muted">No scan to show.</p>;
  const { scannedAt, firstFoundAt } = snapshot;
  return (
    <p class="last-scan">
      Schema last scanned <Ago iso={scannedAt} now={now} />: {count(snapshot.tableCount, 'table')},{' '}
      {count(snapshot.columnCount, 'column')}
      {firstFoundAt === scannedAt ? null : (
        <>
          , the same since <Ago iso={firstFoundAt} now={now} />
        </>
      )}
      .
    </p>
  );
}

const Value = ({ text }: { text: string | null }) =>
  text === null ? <code class="wrap">none</code> : <LongValue text={text} />;

/** What a change's values say: added, its value; removed, what it was; changed, from what to what. */
function Values({ change, group }: { change: SchemaChange; group: Group }) {
  if (group === 'added')
    return (
      <>
        : <Value text={change.after} />
      </>
    );
  if (group === 'removed')
    return (
      <>
        , was <Value text={change.before} />
      </>
    );
  return (
    <>
      : <Value text={change.before} /> <span aria-hidden="true">→</span>
      <span class="visually-hidden">to</span> <Value text={change.after} />
    </>
  );
}

/**
 * A change's path (`schema.table.column`, a name with a dot or a quote in double quotes), each name
 * isolated for bidi: a direction override in one name (U+202E) ends with that name instead of
 * reversing the names after it.
 */
function PathShown({ path }: { path: string }) {
  const names = path.match(/"(?:[^"]|"")*"|[^.]+/g) ?? [path];
  return (
    <code class="wrap">
      {names.map((name, index) => (
        <Fragment key={index}>
          {index > 0 ? '.' : ''}
          {name.startsWith('"') ? (
            <>
              "<bdi>{name.slice(1, -1)}</bdi>"
            </>
          ) : (
            <bdi>{name}</bdi>
          )}
        </Fragment>
      ))}
    </code>
  );
}

/** One change: what became of which path (added, removed or changed), and its values. */
function ChangeItem({ change, focused }: { change: SchemaChange; focused: boolean }) {
  const { group, subject } = WORDING[change.kind];
  const item = useRef<HTMLLIElement>(null);
  useEffect(() => {
    if (focused) item.current?.focus();
  }, [focused]);
  return (
    <li ref={item} tabIndex={focused ? -1 : undefined}>
      <span class={`badge badge-${group}`}>{group}</span> {subject ?? change.after ?? change.before}{' '}
      <PathShown path={change.path} />
      {subject === null ? null : <Values change={change} group={group} />}
    </li>
  );
}

/** The changes, newest first, under the time of the scan that found them. */
function ChangeList({ changes, now, pageStart }: { changes: SchemaChange[]; now: number; pageStart?: number }) {
  if (changes.length === 0) return <p class="muted">No change found since the first scan.</p>;
  const scans: { at: string; changes: { change: SchemaChange; index: number }[] }[] = [];
  changes.forEach((change, index) => {
    const last = scans.at(-1);
    if (last?.at === change.detectedAt) last.changes.push({ change, index });
    else scans.push({ at: change.detectedAt, changes: [{ change, index }] });
  });
  return (
    <ol class="scans" aria-label="Schema changes, newest first">
      {scans.map((scan) => (
        <li key={scan.at}>
          <h3>
            Found <Ago iso={scan.at} now={now} />
          </h3>
          <ul class="changes">
            {scan.changes.map(({ change, index }) => (
              <ChangeItem key={index} change={change} focused={index === pageStart} />
            ))}
          </ul>
        </li>
      ))}
    </ol>
  );
}

/**
 * The schema history section of a connection; none for a caller without connections:read in its
 * workspace (`mayRead`), which reading and scanning it both need.
 */
export function SchemaHistory({ id, mayRead }: { id: string; mayRead: boolean }) {
  const history = useSchemaHistory(id);
  const now = useNow();
  useEffect(() => {
    if (mayRead) void history.read(false);
  }, [id, mayRead]);
  if (!mayRead) return null;
  const { busy, changes } = history;
  return (
    <section aria-labelledby="history-title" class="schema-history" aria-busy={busy ? true : undefined}>
      <h2 id="history-title">Schema history</h2>
      <LastScan snapshot={history.snapshot} now={now} />
      <button type="button" onClick={() => history.read(true)} disabled={busy !== undefined}>
        Scan now
      </button>
      {busy ? (
        <p class="muted" role="status">
          {BUSY_WORDS[busy]}
        </p>
      ) : null}
      {history.outcome ? <Banner kind="success">{history.outcome}</Banner> : null}
      {history.problem ? <Banner kind="error">{history.problem}</Banner> : null}
      {changes ? <ChangeList changes={changes} now={now} pageStart={history.pageStart} /> : null}
      {history.next ? (
        <button type="button" onClick={history.more} disabled={busy !== undefined}>
          Show more changes
        </button>
      ) : null}
    </section>
  );
}
