/** The console: sign in if the service asks, then the list, the form and the detail of connections. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { type ConsoleSettings, completeSignIn, currentToken, loadSettings, signOut } from './auth.ts';
import { ConnectionDetail } from './detail.tsx';
import { ConnectionForm } from './form.tsx';
import { request, Unauthenticated } from './graphql.ts';
import { ConnectionList } from './list.tsx';
import { START, type Start } from './operations.ts';
import { useRoute } from './routes.ts';
import { SignIn } from './sign-in.tsx';
import { Banner } from './ui.tsx';
import './styles.css';

type State =
  | { phase: 'loading' }
  | { phase: 'signIn'; settings: ConsoleSettings; problem?: string }
  | { phase: 'ready'; settings: ConsoleSettings; start: Start }
  | { phase: 'failed'; problem: string };

function App() {
  const [state, setState] = useState<State>({ phase: 'loading' });
  const route = useRoute();

  const begin = async () => {
    let settings: ConsoleSettings | undefined;
    try {
      settings = await loadSettings();
      await completeSignIn(settings);
      const start = await request<Start>(START);
      setState({ phase: 'ready', settings, start });
    } catch (error) {
      if (settings && error instanceof Unauthenticated) {
        const problem = currentToken() ? 'That key or token is not valid (unknown, revoked or expired).' : undefined;
        signOut();
        setState({ phase: 'signIn', settings, problem });
      } else if (settings) setState({ phase: 'signIn', settings, problem: (error as Error).message });
      else setState({ phase: 'failed', problem: (error as Error).message });
    }
  };
  useEffect(() => {
    void begin();
  }, []);

  if (state.phase === 'loading') return <p class="loading">Loading…</p>;
  if (state.phase === 'failed')
    return (
      <main>
        <Banner kind="error">The console cannot reach the service: {state.problem}</Banner>
      </main>
    );
  if (state.phase === 'signIn') return <SignIn settings={state.settings} problem={state.problem} onSignedIn={begin} />;
  const { start, settings } = state;
  const leave = () => {
    signOut();
    setState({ phase: 'signIn', settings });
  };
  return (
    <>
      <header class="top">
        <a class="brand" href="#/">
          Database connections
        </a>
        <span class="who">
          {start.viewer.name}
          {settings.signIn ? (
            <button type="button" class="link" onClick={leave}>
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
