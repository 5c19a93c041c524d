/**
 * Asked when Save follows a failed test of the same settings: saving a connection that does not
 * connect is allowed (its database may not be up yet), never by accident. A modal dialog: the
 * browser keeps the focus in it, and Escape keeps editing.
 */
import { useEffect, useRef } from 'preact/hooks';

const SAVE = 'save';

/** `failure`: what the test said. `onAnswer(true)`: save anyway; false: keep editing. */
export function SaveAnyway({ failure, onAnswer }: { failure: string; onAnswer: (save: boolean) => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
  }, []);
  const close = (value: string) => () => dialog.current?.close(value);
  return (
    <dialog
      ref={dialog}
      class="confirm"
      aria-labelledby="save-anyway-title"
      aria-describedby="save-anyway-failure"
      onClose={() => onAnswer(dialog.current?.returnValue === SAVE)}
    >
      <h2 id="save-anyway-title">Save a connection that does not connect?</h2>
      <p id="save-anyway-failure">The last test of these settings failed: {failure}</p>
      <div class="actions">
        {/* biome-ignore lint/a11y/noAutofocus: a dialog gives its first choice the focus; this one changes nothing */}
        <button type="button" autoFocus onClick={close('')}>
          Keep editing
        </button>
        <button type="button" class="destructive" onClick={close(SAVE)}>
          Save anyway
        </button>
      </div>
    </dialog>
  );
}
