import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { HOSTILE_NAME, renderWithApp, type Route } from '../test-utils';
import DjsPage from './djs.page';

const ADMIN = { id: '00000000-0000-4000-8000-000000000001', email: 'admin@example.com', role: 'admin', djId: null };
const session = { accessToken: 'token', expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(), user: ADMIN };
const dj = (name: string, id = '33333333-3333-4333-8333-333333333333') => ({
  id,
  name,
  keyRotatedAt: '2026-03-14T18:00:00.000Z',
  createdAt: '2026-03-14T18:00:00.000Z',
  slug: 'dj-nova',
  ingest: { live: 'rtmp://streamcaster.example:1935/live', test: 'rtmp://streamcaster.example:1935/test' },
  icecast: { host: 'streamcaster.example', port: 8000, user: 'source', mounts: { live: '/live/dj-nova', test: '/test/dj-nova' } },
});

describe('DJs page', () => {
  it('shows a DJ named with HTML as text: no element, no script', async () => {
    const route: Route = (method, path) => {
      if (method === 'GET' && path === '/api/djs') return { status: 200, json: [dj(HOSTILE_NAME)] };
      if (method === 'GET' && path.startsWith('/api/broadcasts')) return { status: 200, json: [] };
      return undefined;
    };
    const { api, container } = renderWithApp(<DjsPage />, route);
    api.session.set(session as never);
    await screen.findByRole('heading', { name: HOSTILE_NAME });
    expect(container.querySelector('img')).toBeNull();
  });

  it('adds a DJ, shows its key once in "Stream key", and places the server refusal next to "Name"', async () => {
    let attempts = 0;
    const route: Route = (method, path, body) => {
      if (method === 'GET' && path === '/api/djs') return { status: 200, json: [] };
      if (method === 'GET' && path.startsWith('/api/broadcasts')) return { status: 200, json: [] };
      if (method === 'POST' && path === '/api/djs') {
        attempts += 1;
        if (attempts === 1) return { status: 409, json: { statusCode: 409, message: 'name is taken by another DJ' } };
        return { status: 201, json: { ...dj((body as { name: string }).name), streamKey: 'sk_secret' } };
      }
      return undefined;
    };
    const { api } = renderWithApp(<DjsPage />, route);
    api.session.set(session as never);
    fireEvent.click(await screen.findByRole('button', { name: 'Add DJ' }));

    // The client's own check, with the server's schema, before anything is sent.
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByText('name must not be empty')).toBeTruthy();
    expect(attempts).toBe(0);

    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'DJ Nova' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    expect(await screen.findByText('name is taken by another DJ')).toBeTruthy();
    expect(screen.getByLabelText('Name').getAttribute('aria-invalid')).toBe('true');

    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect((screen.getByLabelText('Stream key') as HTMLInputElement).value).toBe('sk_secret'));
    expect(screen.getByRole('button', { name: 'Copy Stream key' })).toBeTruthy();
    expect((screen.getByLabelText('Server URL (Live)') as HTMLInputElement).value).toBe('rtmp://streamcaster.example:1935/live');
    // Traktor's settings beside OBS's: address, port, the mount per environment, the key as password.
    const traktor = screen.getByRole('region', { name: 'Traktor settings' });
    expect((screen.getByLabelText('Address') as HTMLInputElement).value).toBe('streamcaster.example');
    expect((screen.getByLabelText('Port') as HTMLInputElement).value).toBe('8000');
    expect((screen.getByLabelText('Mount path (Live)') as HTMLInputElement).value).toBe('/live/dj-nova');
    expect((screen.getByLabelText('Mount path (Test)') as HTMLInputElement).value).toBe('/test/dj-nova');
    expect(traktor.textContent).toContain('sk_secret');
  });
});
