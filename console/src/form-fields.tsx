/**
 * The inputs of the connection form: text and key inputs bound to the draft, a dialect's parameters,
 * the SSH tunnel and the TLS certificates (closed until opened, or until it holds something).
 */
import { useEffect, useState } from 'preact/hooks';
import { type Draft, type Errors, MASK, SSH_MEMBERS, SSH_SECRETS, TLS_MEMBERS } from './draft.ts';
import type { Dialect } from './operations.ts';
import { PLACES } from './places.ts';
import { describedBy, Field, labelOf } from './ui.tsx';

/** A text input bound to one value of the draft. */
export function TextInput(props: {
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

/** `Client key` → `client key`; an acronym (`CA certificate`) as it is. */
const lowerFirst = (text: string) => (/^[A-Z][A-Z]/.test(text) ? text : text.charAt(0).toLowerCase() + text.slice(1));

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
        Read the {lowerFirst(props.label)} from a file
        <input type="file" onChange={load} />
      </label>
    </div>
  );
}

export function ParameterFields(props: {
  dialect: Dialect;
  draft: Draft;
  set: (draft: Draft) => void;
  errors: Errors;
}) {
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
          id={PLACES['param:options'].id}
          label={PLACES['param:options'].label}
          value={draft.options}
          onChange={(options) => set({ ...draft, options })}
          error={errors['param:options']}
          hint="As a query string: name=value&other=value."
        />
      )}
    </>
  );
}

export function SshSection(props: { draft: Draft; set: (draft: Draft) => void; errors: Errors }) {
  const { draft, set, errors } = props;
  const setMember = (name: string, value: string) => set({ ...draft, ssh: { ...draft.ssh, [name]: value } });
  return (
    <fieldset>
      <legend>SSH tunnel</legend>
      <label class="check">
        <input
          id={PLACES.ssh.id}
          type="checkbox"
          checked={draft.useSsh}
          onChange={(event) => set({ ...draft, useSsh: event.currentTarget.checked })}
        />
        Reach the database through an SSH bastion
      </label>
      {errors.ssh ? (
        <p class="error" id="ssh-error">
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

/**
 * The TLS certificates, closed until opened: three large inputs most connections leave empty. Open
 * from the start when the draft holds one; opened when an error is about them.
 */
export function TlsSection(props: { draft: Draft; set: (draft: Draft) => void; errors: Errors }) {
  const { draft, set, errors } = props;
  const filled = TLS_MEMBERS.filter(([name]) => (draft.tls[name] ?? '').trim() !== '');
  const [open, setOpen] = useState(filled.length > 0);
  // Opened by errors about it when they come (not at every render, so that it can still be closed).
  const aboutTls = JSON.stringify(Object.entries(errors).filter(([key]) => key === 'tls' || key.startsWith('tls:')));
  useEffect(() => {
    if (aboutTls !== '[]') setOpen(true);
  }, [aboutTls]);
  const summary = filled.length > 0 ? filled.map(([, label]) => label).join(', ') : 'none';
  return (
    <details class="section" open={open} onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary>
        TLS certificates <span class="muted">({summary})</span>
      </summary>
      <p class="hint">Used with the TLS mode the URI asks for (sslmode, ssl-mode…).</p>
      {errors.tls ? (
        <p class="error" id="tls-error">
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
    </details>
  );
}
