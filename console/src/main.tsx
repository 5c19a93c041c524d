/** The console: sign in if the service asks, then the list, the form and the detail of connections. */
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ConsoleSettings, completeSignIn, currentToken, loadSettings, signOut } from './auth.ts';
import { ConnectionDetail } from './detail.tsx';
import { ConnectionForm } from './form.tsx';
import { onSignInEnded, request, Unauthenticated } from './graphql.ts';
import { ConnectionList } from './list.tsx';
import { START, type Start } from './operations.ts';
import { useRoute } from './routes.ts';
import { SignIn } from './sign-in.tsx';
import { Banner } from './ui.tsx';
import './styles.css';

type State =
  | { phase: 'loading' }
  | { phase: 'signIn'; settings: ConsoleSettings; problem?: string; refusedKey?: string; attempt: number }
  | { phase: 'ready'; settings: ConsoleSettings; start: Start }
  | { phase: 'failed'; problem: string };

const REFUSED_KEY = 'The service refused this key: it is unknown, revoked or expired. Check it and try again.';
const SIGN_IN_ENDED =
  'Your sign-in has ended: the key or token is no longer valid (revoked or expired). Sign in again.';

/** What the sign-in page says after a failure: the key just typed refused, a sign-in ended, or another problem. */
function signInProblem(error: unknown, typed: boolean, hadToken: boolean) {
  if (!(error instanceof Unauthenticated)) return { problem: (error as Error).message };
  if (typed) return { refusedKey: REFUSED_KEY };
  return hadToken ? { problem: SIGN_IN_ENDED } : {};
}

/** Where the console stands (loading, signing in, ready, or unable to reach the service), and moving on. */
function useSession() {
  const [state, setState] = useState<State>({ phase: 'loading' });
  // Each failed sign-in renders the sign-in page afresh, its key's field focused when the key was refused.
  const attempts = useRef(0);

  /** Starts, or signs in: `typed`, with the key the user just typed. */
  const begin = async (typed = false) => {
    let settings: ConsoleSettings | undefined;
    try {
      settings = await loadSettings();
      await completeSignIn(settings);
      const start = await request(START);
      setState({ phase: 'ready', settings, start });
    } catch (error) {
      if (!settings) return setState({ phase: 'failed', problem: (error as Error).message });
      const said = signInProblem(error, typed, currentToken() !== null);
      if (error instanceof Unauthenticated) signOut();
      setState({ phase: 'signIn', settings, attempt: ++attempts.current, ...said });
    }
  };
  useEffect(() => {
    void begin();
  }, []);
  /** Back to sign-in: signed out (`problem` unset), or refused the credential (revoked, expired). */
  const leave = (settings: ConsoleSettings, problem?: string) => {
    signOut();
    setState({ phase: 'signIn', settings, attempt: ++attempts.current, problem });
  };
  // Signed in, a request or the live list refused: the sign-in has ended, wherever the user is.
  useEffect(() => {
    if (state.phase !== 'ready' || !state.settings.signIn) return;
    const { settings } = state;
    return onSignInEnded(() => leave(settings, SIGN_IN_ENDED));
  }, [state]);
  return { state, begin, leave };
}

function App() {
  const { state, begin, leave } = useSession();
  if (state.phase === 'loading') return <p class="loading">Loading…</p>;
  if (state.phase === 'failed')
    return (
      <main>
        <Banner kind="error">The console cannot reach the service: {state.problem}</Banner>
      </main>
    );
  if (state.phase === 'signIn')
    return (
      <SignIn
        key={state.attempt}
        settings={state.settings}
        problem={state.problem}
        refusedKey={state.refusedKey}
        onSignedIn={() => begin(true)}
      />
    );
  return <Pages start={state.start} settings={state.settings} onLeave={() => leave(state.settings)} />;
}

/** Signed in: the header, and the page the address names. */
function Pages({ start, settings, onLeave }: { start: Start; settings: ConsoleSettings; onLeave: () => void }) {
  const route = useRoute();
  return (
    <>
      <header class="top">
        <a class="brand" href="#/">
          Database connections
        </a>
        <span class="who">
          {start.viewer.name}
          {settings.signIn ? (
            <button type="button" class="link" onClick={onLeave}>
              Sign out
            </button>
          ) : null}
        </span>
      </header>
      <main>
        {route.page === 'list' ? <ConnectionList start={start} /> : null}
        {route.page === 'new' ? <ConnectionForm start={start} /> : null}
        {route.page === 'edit' ? <ConnectionForm start={start} id={route.id} /> : null}
        {route.page === 'detail' ? <ConnectionDetail start={start} id={route.id} /> : null}
      </main>
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
