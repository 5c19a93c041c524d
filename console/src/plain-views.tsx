/**
 * The plain fields shown as they come (plain-fields.ts): an input each in the connection form (text,
 * a number, or a checkbox for a flag), a line each in the detail's fields.
 */
import type { Draft, Errors } from './draft.ts';
import { TextInput } from './form-fields.tsx';
import type { Connection } from './operations.ts';
import { plainPlace } from './places.ts';
import { type Entered, hintOf, type PlainField, SHOWN_FIELDS, shownValueOf } from './plain-fields.ts';
import { describedBy, Field, labelOfField } from './ui.tsx';

/** A checkbox bound to one flag of the draft, under its label, with its hint and error. */
function CheckboxInput(props: {
  id: string;
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  error?: string;
  hint?: string;
}) {
  const { id, label, error, hint } = props;
  return (
    <Field {...{ id, label, error, hint }}>
      <input
        id={id}
        type="checkbox"
        checked={props.checked}
        onChange={(event) => props.onChange(event.currentTarget.checked)}
        {...describedBy(id, error, hint)}
      />
    </Field>
  );
}

/** The input of one plain field: a checkbox for a flag, a number input for a number, else text. */
function PlainInput(props: { field: PlainField; value: Entered; onChange: (value: Entered) => void; error?: string }) {
  const { field, value, onChange, error } = props;
  const { id, label } = plainPlace(field.name);
  const hint = hintOf(field) ?? undefined;
  if (typeof value === 'boolean')
    return <CheckboxInput id={id} label={label} checked={value} onChange={onChange} error={error} hint={hint} />;
  const type = field.type === 'String' ? 'text' : 'number';
  return <TextInput {...{ id, label, value, onChange, error, hint, type }} required={field.required} />;
}

/** The plain fields shown as they come (plain-fields.ts), each with its input. */
export function PlainInputs(props: { draft: Draft; set: (draft: Draft) => void; errors: Errors }) {
  const { draft, set, errors } = props;
  return (
    <>
      {SHOWN_FIELDS.map((field) => (
        <PlainInput
          field={field}
          value={draft.plain[field.name]}
          onChange={(value) => set({ ...draft, plain: { ...draft.plain, [field.name]: value } })}
          error={errors[field.name]}
        />
      ))}
    </>
  );
}

/** The plain fields shown as they come in the detail's list of fields, each with its value. */
export const PlainLines = ({ connection }: { connection: Connection }) => (
  <>
    {SHOWN_FIELDS.map((field) => (
      <>
        <dt>{labelOfField(field.name)}</dt>
        <dd>{shownValueOf(connection[field.name])}</dd>
      </>
    ))}
  </>
);
