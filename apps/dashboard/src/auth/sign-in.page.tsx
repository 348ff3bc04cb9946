import { Alert, Button, Center, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { loginSchema } from '@streamcaster/contracts';
import { useState, type FormEvent } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { useServices } from '../app-services';
import { useFormErrors } from '../forms/use-form-errors';

const FIELDS = ['email', 'password'] as const;

export function SignInPage() {
  const { api } = useServices();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const form = useFormErrors(FIELDS);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const credentials = form.check(loginSchema, { email, password });
    if (!credentials) return;
    setBusy(true);
    try {
      await api.login(credentials);
      const next = params.get('next');
      // Only a path of this app, never another origin.
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', { replace: true });
    } catch (error) {
      form.refused(error);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih="100vh" p="md">
      <Paper component="main" withBorder p="xl" w={360} maw="100%">
        <form onSubmit={(event) => void submit(event)} noValidate aria-labelledby="sign-in-title">
          <Stack>
            <Title id="sign-in-title" order={1} size="h3">
              StreamCaster
            </Title>
            <TextInput label="Email" type="email" autoComplete="username" value={email} onChange={(event) => setEmail(event.currentTarget.value)} error={form.field('email')} />
            <PasswordInput label="Password" autoComplete="current-password" value={password} onChange={(event) => setPassword(event.currentTarget.value)} error={form.field('password')}
              visibilityToggleButtonProps={{ 'aria-label': 'Show the typed characters' }}
            />
            {form.errors.form && (
              <Alert color="red" role="alert" title="Not signed in">
                {form.errors.form}
              </Alert>
            )}
            <Button type="submit" loading={busy}>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
