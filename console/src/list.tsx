/** Every connection the caller sees, filtered in place, kept current by the change events. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { request, subscribe } from './graphql.ts';
import {
  type ConnectionEvent,
  EVENTS,
  type HealthStatus,
  LIST,
  type ListedConnection,
  type Start,
} from './operations.ts';
import { navigate } from './routes.ts';
import { Banner, HealthSummary, healthWord, ScrollingTable } from './ui.tsx';

/** The list with one event applied: a connection made or changed takes its place, a deleted one leaves. */
function applied(list: ListedConnection[], { action, connectionId, connection }: ConnectionEvent) {
  const others = list.filter((entry) => entry.id !== connectionId);
  if (action === 'DELETED' || !connection) return others;
  const at = list.findIndex((entry) => entry.id === connectionId);
  if (at < 0) return [...list, connection];
  return list.map((entry) => (entry.id === connectionId ? connection : entry));
}

function useConnections() {
  const [connections, setConnections] = useState<ListedConnection[] | undefined>();
  const [problem, setProblem] = useState<string>();
  const [live, setLive] = useState(false);
  const [refused, setRefused] = useState<string>();
  const [total, setTotal] = useState(0);
  useEffect(() => {
    const load = () =>
      request(LIST)
        .then((answer) => {
          setConnections(answer.databaseConnections.edges.map((edge) => edge.node));
          setTotal(answer.databaseConnections.totalCount);
        })
        .catch((error: Error) => setProblem(error.message));
    void load();
    return subscribe(
      EVENTS,
      (event) => setConnections((list) => (list ? applied(list, event.databaseConnectionEvents) : list)),
      (isLive, why) => {
        setLive(isLive);
        setRefused(why);
        // Back after a drop: what changed meanwhile was not heard, so read the list again.
        if (isLive) void load();
      },
    );
  }, []);
  return { connections, problem, live, refused, total };
}

/**
 * The connections shown; on a narrow screen in two columns, the alias (its dialect and workspace
 * under it) and the health.
 */
function ConnectionTable({ shown, labels }: { shown: ListedConnection[]; labels: Map<string, string> }) {
  return (
    <ScrollingTable label="Connections">
      <thead>
        <tr>
          <th scope="col">Alias</th>
          <th scope="col" class="wide-only">
            Dialect
          </th>
          <th scope="col" class="wide-only">
            Workspace
          </th>
          <th scope="col">Health</th>
        </tr>
      </thead>
      <tbody>
        {shown.map((connection) => {
          const dialect = labels.get(connection.dialect) ?? connection.dialect;
          return (
            <tr key={connection.id}>
              <td class="alias">
                <a href={`#/connections/${connection.id}`}>{connection.alias}</a>
                {connection.managed ? <span class="badge badge-managed">Managed</span> : null}
                <span class="narrow-only muted">
                  {dialect} · {connection.workspace}
                </span>
              </td>
              <td class="wide-only">{dialect}</td>
              <td class="wide-only">{connection.workspace}</td>
              <td>
                <HealthSummary health={connection.health} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </ScrollingTable>
  );
}

const HEALTH_FILTERS: HealthStatus[] = ['OK', 'FAILING', 'UNKNOWN', 'NOT_TESTABLE'];

export function ConnectionList({ start }: { start: Start }) {
  const { connections, problem, live, refused, total } = useConnections();
  const [search, setSearch] = useState('');
  const [dialect, setDialect] = useState('');
  const [health, setHealth] = useState('');
  const labels = useMemo(() => new Map(start.dialects.map((entry) => [entry.name, entry.label])), [start]);
  const shown = (connections ?? []).filter(
    (connection) =>
      connection.alias.toLowerCase().includes(search.trim().toLowerCase()) &&
      (!dialect || connection.dialect === dialect) &&
      (!health || connection.health.status === health),
  );
  const add = () => navigate('#/new');
  return (
    <>
      <div class="page-head">
        <h1 tabIndex={-1}>Connections</h1>
        <span class={`live ${live ? 'live-on' : ''}`} role="status">
          {live ? 'Live' : refused ? 'Not live' : 'Connecting…'}
        </span>
        <button type="button" class="primary" onClick={add}>
          Add connection
        </button>
      </div>
      {problem ? <Banner kind="error">{problem}</Banner> : null}
      {refused ? <Banner kind="error">Live changes stopped: {refused}</Banner> : null}
      {connections && connections.length === 0 ? (
        <section class="empty">
          <h2>No connections yet</h2>
          <p>Register the first database your platform works with: pick its kind, fill in its form, test it, save.</p>
          <button type="button" class="primary" onClick={add}>
            Add your first connection
          </button>
        </section>
      ) : null}
      {connections && connections.length > 0 ? (
        <>
          <div class="filters">
            <label>
              Search by alias
              <input type="search" value={search} onInput={(event) => setSearch(event.currentTarget.value)} />
            </label>
            <label>
              Filter by dialect
              <select value={dialect} onChange={(event) => setDialect(event.currentTarget.value)}>
                <option value="">All dialects</option>
                {start.dialects.map((entry) => (
                  <option value={entry.name}>{entry.label}</option>
                ))}
              </select>
            </label>
            <label>
              Filter by health
              <select value={health} onChange={(event) => setHealth(event.currentTarget.value)}>
                <option value="">Any health</option>
                {HEALTH_FILTERS.map((status) => (
                  <option value={status}>{healthWord(status)}</option>
                ))}
              </select>
            </label>
          </div>
          <ConnectionTable shown={shown} labels={labels} />
          <p class="muted">
            {shown.length} of {connections.length} shown
            {total > connections.length ? ` (the first ${connections.length} of ${total}: the API lists the rest)` : ''}
          </p>
        </>
      ) : null}
    </>
  );
}
