/** Small pieces the pages share: a labelled field with its error, health badges, dates, counts. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Health, HealthStatus } from './operations.ts';
import { VALUE_SHOWN } from './value-shown.ts';

let nextId = 0;
/** An id for a label's control, stable for the element's life. */
export const newId = (prefix: string) => `${prefix}-${++nextId}`;

export function Field(props: {
  id: string;
  label: string;
  error?: string;
  hint?: string;
  required?: boolean;
  children: ComponentChildren;
}) {
  return (
    <div class={`field${props.error ? ' field-invalid' : ''}`}>
      <label for={props.id} class={props.required ? 'required' : undefined}>
        {props.label}
      </label>
      {props.children}
      {props.hint ? (
        <p class="hint" id={`${props.id}-hint`}>
          {props.hint}
        </p>
      ) : null}
      {/* Not an alert of its own: the form's error summary announces the errors, each input its own. */}
      {props.error ? (
        <p class="error" id={`${props.id}-error`}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

/** The attributes that tie an input to its hint and error. */
export const describedBy = (id: string, error?: string, hint?: string) => ({
  'aria-invalid': error ? true : undefined,
  'aria-describedby': [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined,
});

const HEALTH_WORDS: Record<HealthStatus, string> = {
  OK: 'Healthy',
  FAILING: 'Failing',
  UNKNOWN: 'Not checked yet',
  NOT_TESTABLE: 'Not testable',
};

export function HealthBadge({ health }: { health: Health }) {
  return <span class={`badge badge-${health.status.toLowerCase()}`}>{HEALTH_WORDS[health.status]}</span>;
}

export const healthWord = (status: HealthStatus) => HEALTH_WORDS[status];

export function HealthSummary({ health }: { health: Health }) {
  return (
    <div class="health">
      <HealthBadge health={health} />
      {health.latencyMs !== null ? <span class="muted"> {health.latencyMs} ms</span> : null}
      {health.checkedAt ? <span class="muted checked"> · checked {when(health.checkedAt)}</span> : null}
      {health.error ? (
        <p class="health-error">
          <code>{health.error.code}</code> {health.error.message}
        </p>
      ) : null}
    </div>
  );
}

/** A count and its noun: `1 table`, `2 tables`. */
/**
 * A value from a database as code: whole when short; else its first VALUE_SHOWN characters, with a
 * button that shows the whole (up to the 2,000 characters discovery keeps) and back. Isolated for
 * bidi by the stylesheet (code), so that an override in it ends with it.
 */
export function LongValue({ text }: { text: string }) {
  const [whole, setWhole] = useState(false);
  if (text.length <= VALUE_SHOWN) return <code class="wrap">{text}</code>;
  return (
    <>
      <code class="wrap">{whole ? text : `${text.slice(0, VALUE_SHOWN)}…`}</code>{' '}
      <button type="button" class="link" aria-expanded={whole} onClick={() => setWhole(!whole)}>
        {whole ? 'Show less' : `Show all ${text.length.toLocaleString()} characters`}
      </button>
    </>
  );
}

export const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

export const when = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A typed error as the console says it: its code and message, and why a connection failed when it did. */
export function failureText(error: { code: string; message: string; reason?: { code: string; message: string } }) {
  const reason = error.reason ? ` (${error.reason.code}: ${error.reason.message})` : '';
  return `${error.code}: ${error.message}${reason}`;
}

export function Banner({ kind, children }: { kind: 'error' | 'info' | 'success'; children: ComponentChildren }) {
  return (
    <div class={`banner banner-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** A table that scrolls sideways in its own region on narrow screens, reachable by keyboard to scroll it. */
export function ScrollingTable({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region is reached by keyboard to scroll it
    <section class="table-scroll" tabIndex={0} aria-label={`${label}, scrollable`}>
      <table aria-label={label}>{children}</table>
    </section>
  );
}

/** What the user calls a parameter: `http_path` → "HTTP path". */
export function labelOf(name: string): string {
  if (LABELS[name]) return LABELS[name];
  const words = name.split('_').map((word) => (ACRONYMS.has(word) ? word.toUpperCase() : word));
  const text = words.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
/** What the user calls a field of the API or a member of its settings: `privateKey` → "Private key". */
export const labelOfField = (name: string) => labelOf(name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`));
const ACRONYMS = new Set(['http', 'aws', 'id', 's3', 'ssl', 'url']);
const LABELS: Record<string, string> = { sslmode: 'SSL mode', trustservercertificate: 'Trust server certificate' };
