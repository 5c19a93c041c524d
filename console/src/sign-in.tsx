/** Sign in: an API key kept for this browser tab only, or the identity provider's sign-in page. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ConsoleSettings, signInWithProvider, useToken } from './auth.ts';
import { Banner, describedBy, Field } from './ui.tsx';

/**
 * `problem`: why the last sign-in ended or failed, above the form; `refusedKey`: why the key just
 * typed was refused, at its field, which then has the focus to type it again.
 */
export function SignIn(props: {
  settings: ConsoleSettings;
  problem?: string;
  refusedKey?: string;
  onSignedIn: () => void;
}) {
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState(props.problem);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const { oidc } = props.settings;
  useEffect(() => {
    if (props.refusedKey) input.current?.focus();
  }, [props.refusedKey]);
  const submit = (event: Event) => {
    event.preventDefault();
    setBusy(true);
    useToken(key.trim());
    props.onSignedIn();
  };
  const provider = () => oidc && signInWithProvider(oidc).catch((error: Error) => setProblem(error.message));
  return (
    <main class="sign-in">
      <h1 tabIndex={-1}>Sign in</h1>
      {problem ? <Banner kind="error">{problem}</Banner> : null}
      {oidc ? (
        <p>
          <button type="button" class="primary" onClick={provider}>
            Sign in with your identity provider
          </button>
        </p>
      ) : null}
      <form onSubmit={submit}>
        <Field
          id="api-key"
          label="API key"
          hint="Kept in this browser tab only, until you sign out or close it."
          error={props.refusedKey}
        >
          <input
            id="api-key"
            ref={input}
            type="password"
            autoComplete="off"
            required
            value={key}
            onInput={(event) => setKey(event.currentTarget.value)}
            {...describedBy('api-key', props.refusedKey, 'hint')}
          />
        </Field>
        <button type="submit" class={oidc ? '' : 'primary'} disabled={busy}>
          Use this key
        </button>
      </form>
    </main>
  );
}
