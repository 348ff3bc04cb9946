import { Alert, Button, Group, NativeSelect, Paper, PasswordInput, Stack, Switch, Table, Text, TextInput, Title, VisuallyHidden } from '@mantine/core';
import { ROLES, userCreateSchema, type CreatedUser, type DjView, type Role, type UserView } from '@streamcaster/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { queryKeys } from '../api/resources';
import { useResources, useSession } from '../app-services';
import { errorMessage, useFormErrors } from '../forms/use-form-errors';
import { ConfirmButton, CopyField, DataTable, ErrorAlert, FormFooter } from '../shell/widgets';

const FIELDS = ['email', 'role', 'djId', 'password'] as const;

function AddUserForm({ djs, onCreated, onCancel }: { djs: DjView[]; onCreated: (user: CreatedUser) => void; onCancel: () => void }) {
  const resources = useResources();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const [djId, setDjId] = useState('');
  const [password, setPassword] = useState('');
  const form = useFormErrors(FIELDS);

  function submit(event: FormEvent) {
    event.preventDefault();
    const value = { email, role, ...(role === 'dj' ? { djId: djId || null } : {}), ...(password ? { password } : {}) };
    void form.submit(userCreateSchema, value, async () => {
      // The value as typed: the gateway parses it with the same schema.
      const created = await resources.users.create(value);
      await queryClient.invalidateQueries({ queryKey: queryKeys.users });
      onCreated(created);
    });
  }

  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} noValidate aria-label="Add user">
      <Stack>
        <TextInput label="Email" type="email" value={email} onChange={(event) => setEmail(event.currentTarget.value)} error={form.field('email')} />
        <NativeSelect label="Role" data={[...ROLES]} value={role} onChange={(event) => setRole(event.currentTarget.value as Role)} error={form.field('role')} />
        {role === 'dj' && (
          <NativeSelect
            label="DJ"
            value={djId}
            onChange={(event) => setDjId(event.currentTarget.value)}
            data={[{ value: '', label: 'Choose the DJ' }, ...djs.map((dj) => ({ value: dj.id, label: dj.name }))]}
            error={form.field('djId')}
          />
        )}
        <PasswordInput
          label="Initial password"
          description="At least 12 characters; leave empty to have one generated and shown once."
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
          error={form.field('password')}
          autoComplete="new-password"
          visibilityToggleButtonProps={{ 'aria-label': 'Show the typed characters' }}
        />
        <FormFooter formError={form.errors.form} busy={form.busy} submitLabel="Create user" onCancel={onCancel} />
      </Stack>
    </Paper>
  );
}

function UserRow({ user, djs, self }: { user: UserView; djs: DjView[]; self: boolean }) {
  const resources = useResources();
  const queryClient = useQueryClient();
  const [problem, setProblem] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: queryKeys.users });
  const patch = (value: Record<string, unknown>) => {
    setProblem(null);
    resources.users.update(user.id, value).then(refresh, (error: unknown) => setProblem(errorMessage(error)));
  };
  return (
    <Table.Tr>
      <Table.Td style={{ overflowWrap: 'anywhere' }}>
        {user.email}
        {problem && (
          <Text size="xs" c="red" role="alert">
            {problem}
          </Text>
        )}
      </Table.Td>
      <Table.Td>
        <NativeSelect
          aria-label={`Role of ${user.email}`}
          data={[...ROLES]}
          value={user.role}
          size="xs"
          onChange={(event) => {
            const role = event.currentTarget.value as Role;
            // A dj user needs its DJ: take the first one; the DJ column changes it.
            patch(role === 'dj' ? { role, djId: user.djId ?? djs[0]?.id ?? null } : { role, djId: null });
          }}
        />
      </Table.Td>
      <Table.Td>
        {user.role === 'dj' ? (
          <NativeSelect aria-label={`DJ of ${user.email}`} size="xs" value={user.djId ?? ''} data={djs.map((dj) => ({ value: dj.id, label: dj.name }))} onChange={(event) => patch({ djId: event.currentTarget.value })} />
        ) : (
          '—'
        )}
      </Table.Td>
      <Table.Td>
        <Switch aria-label={`Disabled: ${user.email}`} checked={user.disabled} onChange={(event) => patch({ disabled: event.currentTarget.checked })} disabled={self} />
      </Table.Td>
      <Table.Td>
        {!self && (
          <ConfirmButton
            title="Remove the user?"
            message={`${user.email} can no longer sign in; their sessions end at once.`}
            confirmLabel="Remove user"
            ariaLabel={`Remove ${user.email}`}
            buttonProps={{ size: 'xs' }}
            onConfirm={async () => {
              await resources.users.remove(user.id);
              await refresh();
            }}
          >
            Remove
          </ConfirmButton>
        )}
      </Table.Td>
    </Table.Tr>
  );
}

/** Users (admin only): add, change role, disable, remove. */
export default function UsersPage() {
  const resources = useResources();
  const session = useSession();
  const users = useQuery({ queryKey: queryKeys.users, queryFn: () => resources.users.list() });
  const djs = useQuery({ queryKey: queryKeys.djs, queryFn: () => resources.djs.list() });
  const [adding, setAdding] = useState(false);
  const [created, setCreated] = useState<CreatedUser | null>(null);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>Users</Title>
        {!adding && (
          <Button
            onClick={() => {
              setAdding(true);
              setCreated(null);
            }}
          >
            Add user
          </Button>
        )}
      </Group>
      {adding && (
        <AddUserForm
          djs={djs.data ?? []}
          onCancel={() => setAdding(false)}
          onCreated={(user) => {
            setAdding(false);
            setCreated(user);
          }}
        />
      )}
      {created && (
        <Alert color="green" title={`User ${created.email} added`} withCloseButton onClose={() => setCreated(null)} closeButtonLabel="Dismiss">
          {created.password ? <CopyField label="Generated password" value={created.password} description="Shown only this once." /> : 'With the password you gave.'}
        </Alert>
      )}
      <ErrorAlert error={users.error} />
      {users.data && (
        <DataTable minWidth={640} headers={['Email', 'Role', 'DJ', 'Disabled', <VisuallyHidden>Actions</VisuallyHidden>]}>
          {users.data.map((user) => (
            <UserRow key={user.id} user={user} djs={djs.data ?? []} self={user.id === session?.user.id} />
          ))}
        </DataTable>
      )}
    </Stack>
  );
}
