/**
 * The error summary at the top of the connection form, after the GOV.UK design system's: a failed
 * Save moves the focus to it (the page with it), and it links to each field that has an error.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { Draft, Errors } from './draft.ts';
import type { Dialect } from './operations.ts';
import { jumpTo, placeOf } from './places.ts';

/**
 * Every error of the last Save, linked to its field; nothing when there is none. `focusOn`: a count
 * of the failed Saves, each of which moves the focus here.
 */
export function ErrorSummary(props: {
  problem?: string;
  errors: Errors;
  draft: Draft;
  dialect: Dialect;
  focusOn: number;
}) {
  const { problem, errors, draft, dialect, focusOn } = props;
  const summary = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (focusOn > 0) summary.current?.focus();
  }, [focusOn]);
  const entries = Object.entries(errors);
  if (!problem && entries.length === 0) return null;
  return (
    <div class="error-summary" ref={summary} tabIndex={-1}>
      <div role="alert">
        <h2>There is a problem</h2>
        {problem ? <p>{problem}</p> : null}
        {entries.length > 0 ? (
          <ul>
            {entries.map(([key, message]) => {
              const place = placeOf(key, draft, dialect);
              return (
                <li key={key}>
                  {place ? (
                    <a href={`#${place.id}`} onClick={jumpTo(place.id)}>
                      {place.label}: {message}
                    </a>
                  ) : (
                    `${key}: ${message}`
                  )}
                </li>
              );
            })}
          </ul>
        ) : null}
      </div>
    </div>
  );
}
