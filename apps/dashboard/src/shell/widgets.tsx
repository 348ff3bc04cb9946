import { Alert, Button, CopyButton, Group, Modal, Table, Text, TextInput, type ButtonProps } from '@mantine/core';
import { useEffect, useState, type ReactNode } from 'react';

/** The current time, ticking every `ms` (uptimes). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/**
 * A read-only value with a copy button: the field is named `label` (the DJs' "Stream key" among
 * them, read with its value), the button "Copy <label>".
 */
export function CopyField({ label, value, description }: { label: string; value: string; description?: ReactNode }) {
  return (
    <TextInput
      label={label}
      description={description}
      value={value}
      readOnly
      onFocus={(event) => event.currentTarget.select()}
      // 15 px, not 14: at 14 px DejaVu Sans Mono (Debian's monospace) hints "_" below the line, and
      // a stream key read as "sk pDF…" instead of "sk_pDF…" is a wrong key.
      styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 15 } }}
      rightSectionWidth={80}
      rightSection={
        <CopyButton value={value}>
          {({ copied, copy }) => (
            <Button size="compact-xs" variant={copied ? 'filled' : 'light'} color={copied ? 'green' : undefined} onClick={copy} aria-label={`Copy ${label}`}>
              {copied ? 'Copied' : 'Copy'}
            </Button>
          )}
        </CopyButton>
      }
    />
  );
}

/**
 * A button that asks first: the dialog names what will happen, and the confirming button says it
 * again ("Stop broadcast"), so that no single click ends a set or deletes a destination.
 */
export function ConfirmButton({
  children,
  title,
  message,
  confirmLabel,
  onConfirm,
  buttonProps,
  ariaLabel,
}: {
  children: ReactNode;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  buttonProps?: ButtonProps;
  ariaLabel?: string;
}) {
  const [opened, setOpened] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      setOpened(false);
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    } finally {
      setBusy(false);
    }
  }
  return (
    <>
      <Button color="red" variant="light" {...buttonProps} aria-label={ariaLabel} onClick={() => setOpened(true)}>
        {children}
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={title} centered>
        <Text>{message}</Text>
        {error && (
          <Text c="red" role="alert" mt="sm">
            {error}
          </Text>
        )}
        <Group justify="flex-end" mt="lg">
          <Button variant="default" onClick={() => setOpened(false)}>
            Cancel
          </Button>
          <Button color="red" loading={busy} onClick={() => void confirm()}>
            {confirmLabel}
          </Button>
        </Group>
      </Modal>
    </>
  );
}

/** A figure with its name above it, as a description-list pair. */
export function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text component="dt" size="xs" c="dimmed">
        {label}
      </Text>
      <Text component="dd" m={0} fw={500}>
        {children}
      </Text>
    </div>
  );
}

/** What the server said when a page's data could not be loaded. */
export function ErrorAlert({ error }: { error: Error | null }) {
  if (!error) return null;
  return (
    <Alert color="red" role="alert">
      {error.message}
    </Alert>
  );
}

/** "Saved." under a form that was just saved (gone again at the next change). */
export function SavedNote({ shown }: { shown: boolean }) {
  if (!shown) return null;
  return (
    <Text size="sm" c="green" role="status" ta="right">
      Saved.
    </Text>
  );
}

/** The end of a form: its own error (one that names no field), Cancel and the submit button. */
export function FormFooter({
  formError,
  busy,
  submitLabel,
  onCancel,
  disabled = false,
}: {
  formError: string | null;
  busy: boolean;
  submitLabel: string;
  onCancel?: () => void;
  /** Nothing can be sent yet (the form says why). */
  disabled?: boolean;
}) {
  return (
    <>
      {formError && (
        <Alert color="red" role="alert">
          {formError}
        </Alert>
      )}
      <Group justify="flex-end">
        {onCancel && (
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
        )}
        <Button type="submit" loading={busy} disabled={disabled}>
          {submitLabel}
        </Button>
      </Group>
    </>
  );
}

/** A table that scrolls sideways on a phone instead of squeezing its columns; `label`: its accessible name. */
export function DataTable({ headers, minWidth, striped, label, children }: { headers: ReactNode[]; minWidth: number; striped?: boolean; label?: string; children: ReactNode }) {
  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table striped={striped} aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            {headers.map((header, index) => (
              <Table.Th key={index}>{header}</Table.Th>
            ))}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>{children}</Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
