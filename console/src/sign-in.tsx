/** Sign in: an API key kept for this browser tab only, or the identity provider's sign-in page. */
import { useState } from 'preact/hooks';
import { type ConsoleSettings, signInWithProvider, useToken } from './auth.ts';
import { Banner, describedBy, Field } from './ui.tsx';

export function SignIn(props: { settings: ConsoleSettings; problem?: string; onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState(props.problem);
  const { oidc } = props.settings;
  const submit = (event: Event) => {
    event.preventDefault();
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
        <Field id="api-key" label="API key" hint="Kept in this browser tab only, until you sign out or close it.">
          <input
            id="api-key"
            type="password"
            autoComplete="off"
            required
            value={key}
            onInput={(event) => setKey(event.currentTarget.value)}
            {...describedBy('api-key', undefined, 'hint')}
          />
        </Field>
        <button type="submit" class={oidc ? '' : 'primary'}>
          Use this key
        </button>
      </form>
    </main>
  );
}
