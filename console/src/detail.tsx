/**
 * One connection: its fields (secrets masked; Reveal for callers with the scope), its health and
 * the line of its last scheduled checks, its schema browser, its audit events, and deleting it.
 */
import { useEffect, useState } from 'preact/hooks';
import { request } from './graphql.ts';
import {
  type AuditEvent,
  type Connection,
  DELETE,
  DETAIL,
  type HealthCheck,
  HISTORY,
  type Scope,
  type Start,
  TEST_SAVED,
} from './operations.ts';
import { PlainLines } from './plain-views.tsx';
import { navigate } from './routes.ts';
import { SchemaBrowser } from './schema-browser.tsx';
import { SchemaHistory } from './schema-history.tsx';
import { Banner, HealthSummary, labelOf, ScrollingTable, when } from './ui.tsx';

/** Whether the caller's grants hold `scope` in this workspace. */
const holds = (start: Start, scope: Scope, workspace: string) =>
  start.viewer.grants.some(
    (grant) => (grant.workspace === '*' || grant.workspace === workspace) && grant.scopes.includes(scope),
  );

function Settings({ title, values }: { title: string; values: Record<string, unknown> | null }) {
  if (!values) return null;
  return (
    <>
      <dt>{title}</dt>
      <dd>
        <dl class="inner">
          {Object.entries(values)
            .filter(([, value]) => value !== null && value !== '')
            .map(([name, value]) => (
              <>
                <dt>{labelOf(name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`))}</dt>
                <dd>
                  <code class="wrap">{typeof value === 'object' ? JSON.stringify(value) : String(value)}</code>
                </dd>
              </>
            ))}
        </dl>
      </dd>
    </>
  );
}

/** What each mark of the line stands for, in the order of the legend. */
const MARKS: { status: HealthCheck['status']; meaning: string }[] = [
  { status: 'OK', meaning: 'connected' },
  { status: 'FAILING', meaning: 'failed' },
  { status: 'NOT_TESTABLE', meaning: 'not testable' },
];

const Mark = ({ status }: { status: HealthCheck['status'] }) => (
  <span class={`mark mark-${status.toLowerCase()}`} aria-hidden="true" />
);

/**
 * The last scheduled checks, oldest first: a mark each, its shape and colour saying how it went
 * (a green dot connected, a red square failed), with a legend; each says its time and outcome.
 */
function HealthLine({ checks }: { checks: HealthCheck[] }) {
  if (checks.length === 0) return <p class="muted">No scheduled check yet.</p>;
  const said = (check: HealthCheck) =>
    `${when(check.at)}: ${check.status === 'OK' ? `ok in ${check.latencyMs} ms` : (check.errorCode ?? check.status.toLowerCase())}`;
  const shown = MARKS.filter((mark) => mark.status !== 'NOT_TESTABLE' || checks.some((c) => c.status === mark.status));
  const title =
    checks.length === 1 ? 'The last scheduled check' : `The last ${checks.length} scheduled checks, oldest first`;
  return (
    <div class="health-line">
      <ol class="test-line" aria-label="Scheduled checks, oldest first">
        {checks.map((check) => (
          <li title={said(check)}>
            <Mark status={check.status} />
            <span class="visually-hidden">{said(check)}</span>
          </li>
        ))}
      </ol>
      <p class="legend muted">
        {title}:{' '}
        {shown.map((mark, index) => (
          <span class="legend-item">
            <Mark status={mark.status} /> {mark.meaning}
            {index < shown.length - 1 ? ', ' : '.'}
          </span>
        ))}
      </p>
    </div>
  );
}

function DeleteConfirmation({ connection }: { connection: Connection }) {
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState<string>();
  const remove = async (event: Event) => {
    event.preventDefault();
    try {
      const { result } = await request(DELETE, { id: connection.id });
      if (result.__typename !== 'DeleteDatabaseConnectionSuccess')
        return setProblem(`${result.code}: ${result.message}`);
      navigate('#/');
    } catch (error) {
      setProblem((error as Error).message);
    }
  };
  return (
    <form class="danger" onSubmit={remove}>
      <h2>Delete {connection.alias}</h2>
      <p>Consumers reading it will no longer find it. This cannot be undone.</p>
      {problem ? <Banner kind="error">{problem}</Banner> : null}
      <label for="confirm-alias">Type {connection.alias} to confirm</label>
      <input
        id="confirm-alias"
        autoComplete="off"
        value={typed}
        onInput={(event) => setTyped(event.currentTarget.value)}
      />
      <button type="submit" class="destructive" disabled={typed !== connection.alias}>
        Confirm delete
      </button>
    </form>
  );
}

export function ConnectionDetail({ start, id }: { start: Start; id: string }) {
  const [connection, setConnection] = useState<Connection | null>();
  const [events, setEvents] = useState<AuditEvent[]>();
  const [revealed, setRevealed] = useState(false);
  const [problem, setProblem] = useState<string>();
  const [tested, setTested] = useState<{ ok: boolean; text: string }>();
  const [deleting, setDeleting] = useState(false);

  const load = (reveal: boolean) =>
    request(DETAIL, { id, reveal })
      .then(({ databaseConnection }) => {
        setConnection(databaseConnection);
        setRevealed(reveal);
      })
      .catch((error: Error) => setProblem(error.message));
  const loadEvents = () =>
    request(HISTORY, { id })
      .then(({ auditEvents }) => setEvents(auditEvents.edges.map((edge) => edge.node)))
      // Without audit:read there is no trail to show; the rest of the page still is.
      .catch(() => setEvents(undefined));
  useEffect(() => {
    void load(false);
    void loadEvents();
  }, [id]);

  if (connection === null)
    return <Banner kind="error">There is no such connection (or it is not yours to see).</Banner>;
  if (!connection) return problem ? <Banner kind="error">{problem}</Banner> : <p class="loading">Loading…</p>;

  const test = async () => {
    setTested(undefined);
    const { result } = await request(TEST_SAVED, { id });
    if (result.__typename !== 'ConnectionTestResult')
      setTested({ ok: false, text: `${result.code}: ${result.message}` });
    else if (result.ok) setTested({ ok: true, text: `Connected in ${result.latencyMs} ms.` });
    else setTested({ ok: false, text: `It does not connect: ${result.error?.code}: ${result.error?.message}` });
    void loadEvents();
  };
  const mayReveal = holds(start, 'CONNECTIONS_REVEAL', connection.workspace);
  const mayWrite = holds(start, 'CONNECTIONS_WRITE', connection.workspace) && !connection.managed;
  const dialect = start.dialects.find((entry) => entry.name === connection.dialect);

  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>{connection.alias}</h1>
        {connection.managed ? <span class="badge badge-managed">Managed</span> : null}
        <div class="actions">
          <button type="button" onClick={test}>
            Test connection
          </button>
          {mayReveal ? (
            <button type="button" onClick={() => load(!revealed)} aria-pressed={revealed}>
              {revealed ? 'Hide' : 'Reveal'}
            </button>
          ) : null}
          {mayWrite ? (
            <a class="button" href={`#/connections/${id}/edit`}>
              Edit
            </a>
          ) : null}
          {mayWrite ? (
            <button type="button" class="destructive" onClick={() => setDeleting(!deleting)} aria-expanded={deleting}>
              Delete
            </button>
          ) : null}
        </div>
      </div>
      {connection.managed ? (
        <Banner kind="info">From the provisioning file (CONNECTIONS_FILE): change or delete it there.</Banner>
      ) : null}
      {problem ? <Banner kind="error">{problem}</Banner> : null}
      {tested ? <Banner kind={tested.ok ? 'success' : 'error'}>{tested.text}</Banner> : null}
      {revealed ? <Banner kind="info">Secrets shown: this reveal is recorded in the audit trail.</Banner> : null}
      {deleting ? <DeleteConfirmation connection={connection} /> : null}

      <section aria-labelledby="health-title">
        <h2 id="health-title">Health</h2>
        <HealthSummary health={connection.health} />
        <HealthLine checks={connection.healthHistory} />
      </section>

      <section aria-labelledby="fields-title">
        <h2 id="fields-title">Fields</h2>
        <dl class="fields">
          <PlainLines connection={connection} />
          <dt>Dialect</dt>
          <dd>{dialect?.label ?? connection.dialect}</dd>
          <dt>Workspace</dt>
          <dd>{connection.workspace}</dd>
          <dt>Connection URI</dt>
          <dd>
            <code class="wrap">{connection.connectionUri}</code>
          </dd>
          <Settings title="Parameters" values={connection.parameters} />
          <dt>Schemas</dt>
          <dd>{connection.schemas.length > 0 ? connection.schemas.join(', ') : 'All'}</dd>
          <dt>Metadata</dt>
          <dd>
            <pre>{JSON.stringify(connection.metadata, null, 2)}</pre>
          </dd>
          {connection.useSsh ? <Settings title="SSH tunnel" values={connection.sshSettings} /> : null}
          <Settings title="TLS certificates" values={connection.tlsSettings} />
          <dt>Created</dt>
          <dd>{when(connection.createdAt)}</dd>
          <dt>Changed</dt>
          <dd>
            {when(connection.updatedAt)} (version {connection.version})
          </dd>
        </dl>
      </section>

      <SchemaBrowser id={id} />
      <SchemaHistory id={id} mayRead={holds(start, 'CONNECTIONS_READ', connection.workspace)} />

      {events ? (
        <section aria-labelledby="audit-title">
          <h2 id="audit-title">Audit trail</h2>
          <ScrollingTable label="Audit trail">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">By</th>
                <th scope="col">Outcome</th>
                <th scope="col">Fields</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.id}>
                  <td>{when(event.at)}</td>
                  <td>{event.action.toLowerCase()}</td>
                  <td>{event.actor}</td>
                  <td>{event.outcome}</td>
                  <td>{event.fields.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </ScrollingTable>
        </section>
      ) : null}
    </>
  );
}
