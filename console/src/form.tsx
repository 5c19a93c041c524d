/**
 * Add or edit a connection: a form made from its dialect's parameters (or a raw URI), SSH and TLS
 * where the dialect has them, schemas and metadata; Test connection before saving, and the API's
 * field errors next to their fields.
 */
import { useEffect, useState } from 'preact/hooks';
import {
  type Draft,
  DraftProblem,
  draftOf,
  emptyDraft,
  errorsByField,
  failureFieldOf,
  inputOf,
  MASK,
  reachOf,
  SSH_MEMBERS,
  SSH_SECRETS,
  TLS_MEMBERS,
} from './draft.ts';
import { request } from './graphql.ts';
import {
  type Connection,
  CREATE,
  DETAIL,
  type Dialect,
  type Outcome,
  type Start,
  TEST_DRAFT,
  type TestOutcome,
  UPDATE,
} from './operations.ts';
import { navigate } from './routes.ts';
import { Banner, describedBy, Field, labelOf } from './ui.tsx';

type Errors = Record<string, string>;

/** A text input bound to one value of the draft. */
function TextInput(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
  required?: boolean;
  secret?: boolean;
  multiline?: boolean;
  type?: 'text' | 'number';
}) {
  const common = {
    id: props.id,
    value: props.value,
    required: props.required,
    spellcheck: false,
    autoComplete: 'off',
    onInput: (event: { currentTarget: { value: string } }) => props.onChange(event.currentTarget.value),
    ...describedBy(props.id, props.error, props.hint),
  };
  return (
    <Field id={props.id} label={props.label} error={props.error} hint={props.hint} required={props.required}>
      {props.multiline ? (
        <textarea rows={4} {...common} />
      ) : (
        <input type={(props.secret ? 'password' : (props.type ?? 'text')) as 'text'} {...common} />
      )}
    </Field>
  );
}

/** A key or certificate: pasted, or read from a file. */
function PemInput(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
}) {
  const load = async (event: { currentTarget: HTMLInputElement }) => {
    const file = event.currentTarget.files?.[0];
    if (file) props.onChange(await file.text());
  };
  return (
    <div class="pem">
      <TextInput {...props} multiline hint="Paste it, or read it from a file." />
      <label class="file">
        Read {props.label.toLowerCase()} from a file
        <input type="file" onChange={load} />
      </label>
    </div>
  );
}

function ParameterFields(props: { dialect: Dialect; draft: Draft; set: (draft: Draft) => void; errors: Errors }) {
  const { dialect, draft, set, errors } = props;
  const setParameter = (name: string, value: string) =>
    set({ ...draft, parameters: { ...draft.parameters, [name]: value } });
  return (
    <>
      {dialect.parameters.map((parameter) => (
        <TextInput
          id={`param-${parameter.name}`}
          label={labelOf(parameter.name)}
          value={draft.parameters[parameter.name] ?? ''}
          onChange={(value) => setParameter(parameter.name, value)}
          error={errors[`param:${parameter.name}`]}
          hint={
            parameter.secret && draft.parameters[parameter.name] === MASK
              ? `${parameter.description} Left as ****, the stored one is kept.`
              : parameter.description
          }
          required={parameter.required}
          secret={parameter.secret}
          multiline={parameter.name === 'private_key'}
          type={parameter.type === 'integer' ? 'number' : 'text'}
        />
      ))}
      {dialect.fileDatabase ? null : (
        <TextInput
          id="param-options"
          label="Other URI parameters"
          value={draft.options}
          onChange={(options) => set({ ...draft, options })}
          error={errors['param:options']}
          hint="As a query string: name=value&other=value."
        />
      )}
    </>
  );
}

function SshSection(props: { draft: Draft; set: (draft: Draft) => void; errors: Errors }) {
  const { draft, set, errors } = props;
  const setMember = (name: string, value: string) => set({ ...draft, ssh: { ...draft.ssh, [name]: value } });
  return (
    <fieldset>
      <legend>SSH tunnel</legend>
      <label class="check">
        <input
          type="checkbox"
          checked={draft.useSsh}
          onChange={(event) => set({ ...draft, useSsh: event.currentTarget.checked })}
        />
        Reach the database through an SSH bastion
      </label>
      {errors.ssh ? (
        <p class="error" role="alert">
          {errors.ssh}
        </p>
      ) : null}
      {draft.useSsh
        ? SSH_MEMBERS.map(([name, label]) =>
            name === 'privateKey' ? (
              <PemInput
                id="ssh-privateKey"
                label={label}
                value={draft.ssh[name] ?? ''}
                onChange={(value) => setMember(name, value)}
                error={errors[`ssh:${name}`]}
              />
            ) : (
              <TextInput
                id={`ssh-${name}`}
                label={label}
                value={draft.ssh[name] ?? ''}
                onChange={(value) => setMember(name, value)}
                error={errors[`ssh:${name}`]}
                secret={SSH_SECRETS.has(name)}
                required={name === 'host' || name === 'username'}
              />
            ),
          )
        : null}
    </fieldset>
  );
}

function TlsSection(props: { draft: Draft; set: (draft: Draft) => void; errors: Errors }) {
  const { draft, set, errors } = props;
  return (
    <fieldset>
      <legend>TLS certificates</legend>
      <p class="hint">Used with the TLS mode the URI asks for (sslmode, ssl-mode…).</p>
      {errors.tls ? (
        <p class="error" role="alert">
          {errors.tls}
        </p>
      ) : null}
      {TLS_MEMBERS.map(([name, label]) => (
        <PemInput
          id={`tls-${name}`}
          label={label}
          value={draft.tls[name] ?? ''}
          onChange={(value) => set({ ...draft, tls: { ...draft.tls, [name]: value } })}
          error={errors[`tls:${name}`]}
        />
      ))}
    </fieldset>
  );
}

/** Where a new connection goes unless the user picks another: `default` if the caller sees it. */
const firstWorkspace = (start: Start) =>
  start.workspaces.find((workspace) => workspace.name === 'default')?.name ?? start.workspaces[0]?.name ?? 'default';

/** What a test of the draft said. */
type Tested = { ok: true; text: string } | { ok: false; text: string };

export function ConnectionForm({ start, id }: { start: Start; id?: string }) {
  const [draft, setDraft] = useState<Draft | undefined>(
    id ? undefined : emptyDraft(start.dialects[0] as Dialect, firstWorkspace(start)),
  );
  const [stored, setStored] = useState<Connection>();
  const [errors, setErrors] = useState<Errors>({});
  const [problem, setProblem] = useState<string>();
  const [tested, setTested] = useState<Tested>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!id) return;
    request<{ databaseConnection: Connection | null }>(DETAIL, { id, reveal: false })
      .then(({ databaseConnection }) => {
        if (!databaseConnection) return setProblem('There is no such connection (or it is not yours to see).');
        setStored(databaseConnection);
        setDraft(draftOf(databaseConnection));
      })
      .catch((error: Error) => setProblem(error.message));
  }, [id]);

  if (!draft) return problem ? <Banner kind="error">{problem}</Banner> : <p class="loading">Loading…</p>;
  const dialect = start.dialects.find((entry) => entry.name === draft.dialect) as Dialect;
  const readOnly = stored?.managed === true;

  /** Shows what went wrong: next to the fields it names, or above the form. */
  const report = (outcome: Outcome) => {
    if (outcome.fieldErrors) {
      setErrors(errorsByField(outcome.fieldErrors, draft));
      setProblem('Some fields need attention.');
    } else if (outcome.reason) {
      const field = failureFieldOf(outcome.reason.code, draft, dialect);
      setErrors(field ? { [field]: `${outcome.reason.code}: ${outcome.reason.message}` } : {});
      setProblem(`It does not connect: ${outcome.reason.code}: ${outcome.reason.message}`);
    } else setProblem(`${outcome.code}: ${outcome.message}`);
  };

  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setErrors({});
    setProblem(undefined);
    setTested(undefined);
    try {
      await work();
    } catch (error) {
      if (error instanceof DraftProblem) setErrors({ [error.field]: error.message });
      else setProblem((error as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const test = () =>
    run(async () => {
      const { result } = await request<{ result: TestOutcome }>(TEST_DRAFT, reachOf(draft, dialect));
      if (result.__typename !== 'ConnectionTestResult') return report(result);
      if (result.ok) {
        const version = result.serverVersion ? `, server version ${result.serverVersion}` : '';
        return setTested({ ok: true, text: `Connected in ${result.latencyMs} ms${version}.` });
      }
      const failure = result.error as NonNullable<TestOutcome['error']>;
      const field = failureFieldOf(failure.code, draft, dialect);
      if (field) setErrors({ [field]: `${failure.code}: ${failure.message}` });
      setTested({ ok: false, text: `It does not connect: ${failure.code}: ${failure.message}` });
    });

  const save = (event: Event) => {
    event.preventDefault();
    void run(async () => {
      const input = inputOf(draft, dialect);
      const { result } = stored
        ? await request<{ result: Outcome }>(UPDATE, { id: stored.id, input, expectedVersion: stored.version })
        : await request<{ result: Outcome }>(CREATE, { input });
      if (!result.databaseConnection) return report(result);
      navigate(`#/connections/${result.databaseConnection.id}`);
    });
  };

  const pickDialect = (name: string) => {
    const picked = start.dialects.find((entry) => entry.name === name) as Dialect;
    const fresh = emptyDraft(picked, draft.workspace);
    setDraft({ ...fresh, alias: draft.alias, schemas: draft.schemas, metadata: draft.metadata, mode: draft.mode });
  };

  const title = stored ? `Edit ${stored.alias}` : 'Add connection';
  return (
    <form class="connection-form" onSubmit={save} noValidate>
      <h1 tabIndex={-1}>{title}</h1>
      {readOnly ? (
        <Banner kind="info">
          This connection comes from the provisioning file (CONNECTIONS_FILE), its source of truth: change it there.
        </Banner>
      ) : null}
      {problem ? <Banner kind="error">{problem}</Banner> : null}
      <fieldset disabled={readOnly || busy} class="plain">
        <TextInput
          id="alias"
          label="Alias"
          value={draft.alias}
          onChange={(alias) => setDraft({ ...draft, alias })}
          error={errors.alias}
          required
        />
        <Field id="workspace" label="Workspace" error={errors.workspace}>
          <select
            id="workspace"
            value={draft.workspace}
            onChange={(event) => setDraft({ ...draft, workspace: event.currentTarget.value })}
          >
            {start.workspaces.map((workspace) => (
              <option value={workspace.name}>{workspace.name}</option>
            ))}
          </select>
        </Field>
        <Field id="dialect" label="Dialect" error={errors.dialect}>
          <select id="dialect" value={draft.dialect} onChange={(event) => pickDialect(event.currentTarget.value)}>
            {start.dialects.map((entry) => (
              <option value={entry.name}>{entry.label}</option>
            ))}
          </select>
        </Field>
        <fieldset>
          <legend>Where it is</legend>
          <div class="switch" role="radiogroup" aria-label="Written as">
            <label class="check">
              <input
                type="radio"
                name="mode"
                checked={draft.mode === 'parameters'}
                onChange={() => setDraft({ ...draft, mode: 'parameters' })}
              />
              A form of its parameters
            </label>
            <label class="check">
              <input
                type="radio"
                name="mode"
                checked={draft.mode === 'uri'}
                onChange={() => setDraft({ ...draft, mode: 'uri' })}
              />
              A connection URI
            </label>
          </div>
          {errors.parameters ? (
            <p class="error" role="alert">
              {errors.parameters}
            </p>
          ) : null}
          {draft.mode === 'parameters' ? (
            <ParameterFields dialect={dialect} draft={draft} set={setDraft} errors={errors} />
          ) : (
            <TextInput
              id="uri"
              label="Connection URI"
              value={draft.uri}
              onChange={(uri) => setDraft({ ...draft, uri })}
              error={errors.uri}
              hint="scheme://user:password@host:port/database; **** in place of a secret keeps the stored one."
              required
            />
          )}
        </fieldset>
        {dialect.supportsSsh ? <SshSection draft={draft} set={setDraft} errors={errors} /> : null}
        {dialect.supportsTls ? <TlsSection draft={draft} set={setDraft} errors={errors} /> : null}
        {dialect.supportsSchemas ? (
          <TextInput
            id="schemas"
            label="Schemas"
            value={draft.schemas}
            onChange={(schemas) => setDraft({ ...draft, schemas })}
            error={errors.schemas}
            hint="The schemas it is limited to, separated by commas; none for all."
          />
        ) : null}
        <TextInput
          id="metadata"
          label="Metadata (JSON)"
          value={draft.metadata}
          onChange={(metadata) => setDraft({ ...draft, metadata })}
          error={errors.metadata}
          hint="Any JSON object: owner, team, purpose…"
          multiline
        />
      </fieldset>
      {tested ? <Banner kind={tested.ok ? 'success' : 'error'}>{tested.text}</Banner> : null}
      <div class="actions">
        <button type="button" onClick={test} disabled={busy}>
          Test connection
        </button>
        <button type="submit" class="primary" disabled={busy || readOnly}>
          Save
        </button>
        <a href={stored ? `#/connections/${stored.id}` : '#/'}>Cancel</a>
      </div>
    </form>
  );
}
