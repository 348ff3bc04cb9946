import { ActionIcon, Button, Group, Text, Textarea, TextInput } from '@mantine/core';
import { useState, type FormEvent } from 'react';

/**
 * Text edited in place: shown as text (never as HTML), "Edit <label>" opens a field named `label`,
 * "Save" sends it; the server's refusal stays next to the field.
 */
export function EditableText({
  label,
  value,
  multiline = false,
  canEdit,
  onSave,
  validate,
}: {
  label: string;
  value: string;
  multiline?: boolean;
  canEdit: boolean;
  onSave: (value: string) => Promise<void>;
  /** The server's schema's verdict, null when fine. */
  validate: (value: string) => string | null;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(value);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(event: FormEvent) {
    event.preventDefault();
    const problem = validate(draft);
    if (problem) {
      setError(problem);
      return;
    }
    setBusy(true);
    try {
      await onSave(draft);
      setEditing(false);
      setError(null);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  }

  if (!editing) {
    return (
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <div style={{ minWidth: 0 }}>
          <Text size="xs" c="dimmed">
            {label}
          </Text>
          <Text fw={multiline ? 400 : 600} size={multiline ? 'sm' : 'lg'} style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {value || '—'}
          </Text>
        </div>
        {canEdit && (
          <ActionIcon
            variant="subtle"
            aria-label={`Edit ${label.toLowerCase()}`}
            onClick={() => {
              setDraft(value);
              setEditing(true);
            }}
          >
            ✎
          </ActionIcon>
        )}
      </Group>
    );
  }
  const Field = multiline ? Textarea : TextInput;
  return (
    <form onSubmit={(event) => void save(event)} noValidate>
      <Field label={label} value={draft} onChange={(event) => setDraft(event.currentTarget.value)} error={error} autoFocus {...(multiline ? { autosize: true, minRows: 2 } : {})} />
      <Group gap="xs" mt="xs">
        <Button type="submit" size="xs" loading={busy}>
          Save
        </Button>
        <Button size="xs" variant="default" onClick={() => setEditing(false)}>
          Cancel
        </Button>
      </Group>
    </form>
  );
}
