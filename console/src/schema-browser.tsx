/** The schemas, tables and columns of a connection, from discovery, as a tree to open. */
import { useState } from 'preact/hooks';
import { request } from './graphql.ts';
import { SCHEMA, type Schema } from './operations.ts';
import { Banner, count, failureText, LongValue } from './ui.tsx';

/** What a schema holds: `1 table`, `3 tables, 1 view`, `empty`. */
function contents(schema: Schema) {
  const views = schema.tables.filter((table) => table.kind === 'VIEW').length;
  const tables = schema.tables.length - views;
  const parts = [tables > 0 ? count(tables, 'table') : '', views > 0 ? count(views, 'view') : ''];
  return parts.filter(Boolean).join(', ') || 'empty';
}

export function SchemaBrowser({ id }: { id: string }) {
  const [schemas, setSchemas] = useState<Schema[]>();
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const browse = async () => {
    setBusy(true);
    setProblem(undefined);
    try {
      const answer = await request(SCHEMA, { id });
      const introspection = answer.databaseConnection?.introspection;
      if (introspection?.__typename === 'IntrospectionSuccess') setSchemas(introspection.schemas);
      else if (introspection) setProblem(failureText(introspection));
    } catch (error) {
      setProblem((error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="schema-title" class="schema-browser">
      <h2 id="schema-title">Schema</h2>
      <button type="button" onClick={browse} disabled={busy}>
        {schemas ? 'Browse again' : 'Browse schema'}
      </button>
      {problem ? <Banner kind="error">{problem}</Banner> : null}
      {schemas ? (
        <ul class="tree" aria-label="Schemas">
          {schemas.length === 0 ? <li class="muted">No schema found.</li> : null}
          {schemas.map((schema) => (
            <li>
              <details>
                <summary>
                  <bdi>{schema.name}</bdi> <span class="muted">({contents(schema)})</span>
                </summary>
                <ul>
                  {schema.tables.map((table) => (
                    <li>
                      <details>
                        <summary>
                          <bdi>{table.name}</bdi> <span class="muted">{table.kind.toLowerCase()}</span>
                        </summary>
                        <table class="columns" aria-label={`Columns of ${schema.name}.${table.name}`}>
                          <thead>
                            <tr>
                              <th scope="col">Column</th>
                              <th scope="col">Type</th>
                              <th scope="col">Null</th>
                            </tr>
                          </thead>
                          <tbody>
                            {table.columns.map((column) => (
                              <tr>
                                <td>
                                  <bdi>{column.name}</bdi>
                                </td>
                                <td>
                                  <LongValue text={column.type} />
                                </td>
                                <td>{column.nullable ? 'yes' : 'no'}</td>
                              </tr>
                            ))}
                          </tbody>
                        </table>
                      </details>
                    </li>
                  ))}
                </ul>
              </details>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
