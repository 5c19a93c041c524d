/**
 * Add or edit a connection: its plain fields as the schema declares them (the alias, …), a form
 * made from its dialect's parameters (or a raw URI), SSH and TLS where the dialect has them, schemas
 * and metadata. Test connection before saving; Save after a passed test tests again, so that the
 * connection's health is that test's; Save after a failed one asks first. A failed Save moves the
 * focus to the error summary at the top.
 */
import { useEffect, useState } from 'preact/hooks';
import {
  type Draft,
  DraftProblem,
  draftOf,
  type Errors,
  emptyDraft,
  errorsByField,
  failureFieldOf,
  inputOf,
  reachOf,
} from './draft.ts';
import { ErrorSummary } from './error-summary.tsx';
import { ParameterFields, SshSection, TextInput, TlsSection } from './form-fields.tsx';
import { request } from './graphql.ts';
import {
  type Connection,
  CREATE,
  DETAIL,
  type Dialect,
  type Failure,
  type Refusal,
  type Start,
  TEST_DRAFT,
  UPDATE,
} from './operations.ts';
import { jumpTo, PLACES, placeOf } from './places.ts';
import { PlainInputs } from './plain-views.tsx';
import { navigate } from './routes.ts';
import { SaveAnyway } from './save-anyway.tsx';
import { Banner, Field } from './ui.tsx';

/** Where a new connection goes unless the user picks another: `default` if the caller sees it. */
const firstWorkspace = (start: Start) =>
  start.workspaces.find((workspace) => workspace.name === 'default')?.name ?? start.workspaces[0]?.name ?? 'default';

/** The connection being edited, read once, as a draft; a new connection's empty draft. */
function useDraft(start: Start, id: string | undefined) {
  const [draft, setDraft] = useState<Draft | undefined>(
    id ? undefined : emptyDraft(start.dialects[0] as Dialect, firstWorkspace(start)),
  );
  const [stored, setStored] = useState<Connection>();
  const [problem, setProblem] = useState<string>();
  useEffect(() => {
    if (!id) return;
    request(DETAIL, { id, reveal: false })
      .then(({ databaseConnection }) => {
        if (!databaseConnection) return setProblem('There is no such connection (or it is not yours to see).');
        setStored(databaseConnection);
        setDraft(draftOf(databaseConnection));
      })
      .catch((error: Error) => setProblem(error.message));
  }, [id]);
  return { draft, setDraft, stored, problem };
}

/**
 * What a test said of the settings it tested (`reach`, as reachOf gives them): changed since, it
 * says nothing of them. A failure: its code and message, and the field it is about, if any.
 */
type Failed = { reach: string; ok: false; text: string; detail: string; field?: string };
type Tested = { reach: string; ok: true; text: string } | Failed;

function failedTest(reach: string, failure: Failure, draft: Draft, dialect: Dialect): Failed {
  const detail = `${failure.code}: ${failure.message}`;
  return {
    reach,
    ok: false,
    text: `It does not connect: ${detail}`,
    detail,
    field: failureFieldOf(failure.code, draft, dialect),
  };
}

/**
 * The errors of the last action, for the error summary, which takes the focus each time they come;
 * `run` runs an action (one at a time); `report` shows a mutation's typed error.
 */
function useOutcome(draft: Draft, dialect: Dialect, reach: string, setTested: (tested: Tested) => void) {
  const [errors, setErrors] = useState<Errors>({});
  const [problem, setProblem] = useState<string>();
  const [shown, setShown] = useState(0);
  const [busy, setBusy] = useState(false);
  const show = (fieldErrors: Errors, text?: string) => {
    setErrors(fieldErrors);
    setProblem(text);
    setShown((count) => count + 1);
  };
  const report = (outcome: Refusal) => {
    if ('fieldErrors' in outcome) return show(errorsByField(outcome.fieldErrors, draft));
    if (outcome.__typename === 'AliasConflictError') return show({ alias: outcome.message });
    if (!('reason' in outcome)) return show({}, `${outcome.code}: ${outcome.message}`);
    // Save's own test failed: as after a failed Test, the next Save asks first.
    const failed = failedTest(reach, outcome.reason, draft, dialect);
    setTested(failed);
    show(failed.field ? { [failed.field]: failed.detail } : {}, failed.text);
  };
  const run = async (work: () => Promise<void>) => {
    setBusy(true);
    setErrors({});
    setProblem(undefined);
    try {
      await work();
    } catch (error) {
      if (error instanceof DraftProblem) show({ [error.field]: error.message });
      else show({}, (error as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return { errors, problem, shown, busy, run, report };
}

/** Test and Save: the last test while it speaks for the settings, and the question before saving after a failed one. */
function useActions(draft: Draft, dialect: Dialect, stored: Connection | undefined) {
  const [tested, setTested] = useState<Tested>();
  const [asking, setAsking] = useState<string>();
  const reach = JSON.stringify(reachOf(draft, dialect));
  const lastTest = tested?.reach === reach ? tested : undefined;
  const outcome = useOutcome(draft, dialect, reach, setTested);
  const { run, report } = outcome;

  const test = () =>
    run(async () => {
      setTested(undefined);
      const { result } = await request(TEST_DRAFT, reachOf(draft, dialect));
      if (result.__typename !== 'ConnectionTestResult') return report(result);
      const version = result.serverVersion ? `, server version ${result.serverVersion}` : '';
      if (result.ok) return setTested({ reach, ok: true, text: `Connected in ${result.latencyMs} ms${version}.` });
      setTested(failedTest(reach, result.error as Failure, draft, dialect));
    });

  /** Writes the draft; `withTest`: tests it first, which makes the test its health. */
  const write = (withTest: boolean) =>
    run(async () => {
      const variables = { input: inputOf(draft, dialect), testConnection: withTest };
      const { result } = stored
        ? await request(UPDATE, { ...variables, id: stored.id, expectedVersion: stored.version })
        : await request(CREATE, variables);
      if (!('databaseConnection' in result)) return report(result);
      navigate(`#/connections/${result.databaseConnection.id}`);
    });

  const save = (event: Event) => {
    event.preventDefault();
    if (lastTest && !lastTest.ok) setAsking(lastTest.detail);
    else void write(lastTest?.ok === true);
  };
  const answer = (saveAnyway: boolean) => {
    setAsking(undefined);
    if (saveAnyway) void write(false);
  };
  // The last test's mark at its field while it speaks for the settings; the last action's errors over it.
  const failedField = lastTest && !lastTest.ok && lastTest.field;
  const marked = failedField ? { [failedField]: lastTest.detail, ...outcome.errors } : outcome.errors;
  return { ...outcome, marked, lastTest, asking, test, save, answer };
}

/** What the last test said, next to the buttons; a failure links to the field it is about. */
function TestResult({ tested, draft, dialect }: { tested: Tested; draft: Draft; dialect: Dialect }) {
  const place = !tested.ok && tested.field ? placeOf(tested.field, draft, dialect) : undefined;
  return (
    <Banner kind={tested.ok ? 'success' : 'error'}>
      {tested.text}
      {place ? (
        <>
          {' '}
          (at{' '}
          <a href={`#${place.id}`} onClick={jumpTo(place.id)}>
            {place.label}
          </a>
          )
        </>
      ) : null}
    </Banner>
  );
}

export function ConnectionForm({ start, id }: { start: Start; id?: string }) {
  const { draft, setDraft, stored, problem } = useDraft(start, id);
  if (!draft) return problem ? <Banner kind="error">{problem}</Banner> : <p class="loading">Loading…</p>;
  const dialect = start.dialects.find((entry) => entry.name === draft.dialect) as Dialect;
  return <LoadedForm start={start} draft={draft} setDraft={setDraft} stored={stored} dialect={dialect} />;
}

function LoadedForm(props: {
  start: Start;
  draft: Draft;
  setDraft: (draft: Draft) => void;
  stored?: Connection;
  dialect: Dialect;
}) {
  const { start, draft, setDraft, stored, dialect } = props;
  const actions = useActions(draft, dialect, stored);
  const readOnly = stored?.managed === true;
  const title = stored ? `Edit ${stored.alias}` : 'Add connection';
  return (
    <form class="connection-form" onSubmit={actions.save} noValidate>
      <h1 tabIndex={-1}>{title}</h1>
      {readOnly ? (
        <Banner kind="info">
          This connection comes from the provisioning file (CONNECTIONS_FILE), its source of truth: change it there.
        </Banner>
      ) : null}
      <ErrorSummary
        problem={actions.problem}
        errors={actions.errors}
        draft={draft}
        dialect={dialect}
        focusOn={actions.shown}
      />
      <fieldset disabled={readOnly || actions.busy} class="plain">
        <Fields start={start} draft={draft} setDraft={setDraft} dialect={dialect} errors={actions.marked} />
      </fieldset>
      {actions.lastTest ? <TestResult tested={actions.lastTest} draft={draft} dialect={dialect} /> : null}
      {actions.asking ? <SaveAnyway failure={actions.asking} onAnswer={actions.answer} /> : null}
      <div class="actions">
        <button type="button" onClick={actions.test} disabled={actions.busy}>
          Test connection
        </button>
        <button type="submit" class="primary" disabled={actions.busy || readOnly}>
          Save
        </button>
        <a href={stored ? `#/connections/${stored.id}` : '#/'}>Cancel</a>
      </div>
    </form>
  );
}

/** A text input bound to one text field of the draft, with its id and label (PLACES) and its error. */
function DraftText(props: {
  name: 'uri' | 'schemas' | 'metadata';
  draft: Draft;
  setDraft: (draft: Draft) => void;
  errors: Errors;
  hint?: string;
  required?: boolean;
  multiline?: boolean;
}) {
  const { name, draft, setDraft, errors, ...rest } = props;
  const { id, label } = PLACES[name];
  const change = (value: string) => setDraft({ ...draft, [name]: value });
  return <TextInput id={id} label={label} value={draft[name]} onChange={change} error={errors[name]} {...rest} />;
}

/** The form's inputs, in order: what it is (its plain fields) and where, how it is reached, what it covers. */
function Fields(props: {
  start: Start;
  draft: Draft;
  setDraft: (draft: Draft) => void;
  dialect: Dialect;
  errors: Errors;
}) {
  const { start, draft, setDraft, dialect, errors } = props;
  const bound = { draft, setDraft, errors };
  const pickDialect = (name: string) => {
    const picked = start.dialects.find((entry) => entry.name === name) as Dialect;
    const fresh = emptyDraft(picked, draft.workspace);
    setDraft({ ...fresh, plain: draft.plain, schemas: draft.schemas, metadata: draft.metadata, mode: draft.mode });
  };
  return (
    <>
      <PlainInputs draft={draft} set={setDraft} errors={errors} />
      <Field id={PLACES.workspace.id} label={PLACES.workspace.label} error={errors.workspace}>
        <select
          id={PLACES.workspace.id}
          value={draft.workspace}
          onChange={(event) => setDraft({ ...draft, workspace: event.currentTarget.value })}
        >
          {start.workspaces.map((workspace) => (
            <option value={workspace.name}>{workspace.name}</option>
          ))}
        </select>
      </Field>
      <Field id={PLACES.dialect.id} label={PLACES.dialect.label} error={errors.dialect}>
        <select
          id={PLACES.dialect.id}
          value={draft.dialect}
          onChange={(event) => pickDialect(event.currentTarget.value)}
        >
          {start.dialects.map((entry) => (
            <option value={entry.name}>{entry.label}</option>
          ))}
        </select>
      </Field>
      <WhereItIs draft={draft} setDraft={setDraft} dialect={dialect} errors={errors} />
      {dialect.supportsSsh ? <SshSection draft={draft} set={setDraft} errors={errors} /> : null}
      {dialect.supportsTls ? <TlsSection draft={draft} set={setDraft} errors={errors} /> : null}
      {dialect.supportsSchemas ? (
        <DraftText name="schemas" {...bound} hint="The schemas it is limited to, separated by commas; none for all." />
      ) : null}
      <DraftText name="metadata" {...bound} hint="Any JSON object: owner, team, purpose…" multiline />
    </>
  );
}

const MODES: [Draft['mode'], string][] = [
  ['parameters', 'A form of its parameters'],
  ['uri', 'A connection URI'],
];

/** Where the database is: a form of the dialect's parameters, or a raw URI. */
function WhereItIs(props: { draft: Draft; setDraft: (draft: Draft) => void; dialect: Dialect; errors: Errors }) {
  const { draft, setDraft, dialect, errors } = props;
  return (
    <fieldset>
      <legend>Where it is</legend>
      <div class="switch" role="radiogroup" aria-label="Written as">
        {MODES.map(([mode, label]) => (
          <label class="check">
            <input
              type="radio"
              name="mode"
              checked={draft.mode === mode}
              onChange={() => setDraft({ ...draft, mode })}
            />
            {label}
          </label>
        ))}
      </div>
      {errors.parameters ? (
        <p class="error" id="parameters-error">
          {errors.parameters}
        </p>
      ) : null}
      {draft.mode === 'parameters' ? (
        <ParameterFields dialect={dialect} draft={draft} set={setDraft} errors={errors} />
      ) : (
        <DraftText
          name="uri"
          {...{ draft, setDraft, errors }}
          hint="scheme://user:password@host:port/database; **** in place of a secret keeps the stored one."
          required
        />
      )}
    </fieldset>
  );
}
