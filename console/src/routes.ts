/** The console's pages, one per hash: `#/`, `#/new`, `#/connections/<id>`, `#/connections/<id>/edit`. */
import { useEffect, useState } from 'preact/hooks';

/** Where the hash says the user is: `#/`, `#/new`, `#/connections/<id>`, `#/connections/<id>/edit`. */
export type Route = { page: 'list' } | { page: 'new' } | { page: 'detail'; id: string } | { page: 'edit'; id: string };

function routeOf(hash: string): Route {
  const [, section, id, action] = hash.replace(/^#/, '').split('/');
  if (section === 'new') return { page: 'new' };
  if (section === 'connections' && id) return action === 'edit' ? { page: 'edit', id } : { page: 'detail', id };
  return { page: 'list' };
}

export const navigate = (hash: string) => {
  location.hash = hash;
};

export function useRoute(): Route {
  const [route, setRoute] = useState(routeOf(location.hash));
  useEffect(() => {
    const changed = () => {
      setRoute(routeOf(location.hash));
      // A new page: its heading takes the focus, so that screen readers announce it.
      requestAnimationFrame(() => document.querySelector<HTMLElement>('main h1')?.focus());
    };
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}
