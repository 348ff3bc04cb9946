import type { Environment, PlatformAccountView } from '@streamcaster/contracts';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithApp, type Route } from '../test-utils';
import { AddDestinationForm } from './add-destination-form';
import { account, ADMIN, sessionOf } from './platform-fixtures';

const NOW = '2026-03-14T18:00:00.000Z';

function renderForm(environment: Environment, accounts: PlatformAccountView[]) {
  const created: unknown[] = [];
  const route: Route = (method, path, body) => {
    if (method === 'GET' && path === `/api/platform-accounts?environment=${environment}`) return { status: 200, json: accounts };
    if (method === 'POST' && path === '/api/destinations') {
      created.push(body);
      const sent = body as Record<string, unknown>;
      return {
        status: 201,
        json: {
          id: '44444444-4444-4444-8444-444444444444',
          environment,
          platform: sent.platform,
          name: sent.name,
          url: sent.url ?? null,
          accountId: sent.accountId ?? null,
          privacy: sent.privacy ?? null,
          enabled: true,
          createdAt: NOW,
          updatedAt: NOW,
        },
      };
    }
    return undefined;
  };
  let done = 0;
  const rendered = renderWithApp(<AddDestinationForm environment={environment} onDone={() => (done += 1)} />, route);
  rendered.api.session.set(sessionOf(ADMIN));
  return { created, done: () => done };
}

const select = (label: string) => screen.getByLabelText(label) as HTMLSelectElement;
const change = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe('Add destination', () => {
  it('creates a YouTube destination in Live for a connected account, with its privacy, and no URL or key', async () => {
    const channel = account({ platform: 'youtube', displayName: 'Radio Kosmos' });
    const other = account({ platform: 'youtube', displayName: 'Radio Kosmos B-side' });
    const { created, done } = renderForm('live', [channel, other, account({ platform: 'twitch' })]);
    await waitFor(() => expect([...select('Account').options].map((option) => option.textContent)).toEqual(['Radio Kosmos', 'Radio Kosmos B-side']));
    expect(screen.queryByLabelText('Server URL')).toBeNull();
    expect(screen.queryByLabelText('Stream key')).toBeNull();
    change('Account', other.id);
    change('Privacy', 'unlisted');
    change('Name', 'YouTube B-side');
    fireEvent.click(screen.getByRole('button', { name: 'Save destination' }));
    await waitFor(() => expect(done()).toBe(1));
    expect(created).toEqual([{ environment: 'live', platform: 'youtube', name: 'YouTube B-side', accountId: other.id, enabled: true, privacy: 'unlisted' }]);
  });

  it('sends no privacy for YouTube in Test (always private there) and none for Twitch', async () => {
    const tube = account({ platform: 'youtube', environment: 'test', displayName: 'Rehearsals' });
    const twitch = account({ platform: 'twitch', environment: 'test', displayName: 'djnova' });
    const { created, done } = renderForm('test', [tube, twitch]);
    await waitFor(() => expect(select('Account').value).toBe(tube.id));
    expect(screen.queryByLabelText('Privacy')).toBeNull();
    expect(screen.getByText(/always private on YouTube/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Save destination' }));
    await waitFor(() => expect(done()).toBe(1));

    change('Platform', 'twitch');
    await waitFor(() => expect(select('Account').value).toBe(twitch.id));
    expect(screen.queryByLabelText('Privacy')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Save destination' }));
    await waitFor(() => expect(done()).toBe(2));
    expect(created).toEqual([
      { environment: 'test', platform: 'youtube', name: 'YouTube', accountId: tube.id, enabled: true },
      { environment: 'test', platform: 'twitch', name: 'Twitch', accountId: twitch.id, enabled: true },
    ]);
  });

  it('does not offer Kick in Test and says why', async () => {
    renderForm('test', []);
    const kick = [...select('Platform').options].find((option) => option.value === 'kick')!;
    expect(kick.disabled).toBe(true);
    expect(kick.textContent).toBe('Kick (not in Test)');
    expect(screen.getByText(/Kick has no private or test mode: anything sent to Kick is public/)).toBeTruthy();
  });

  it('offers Kick in Live', async () => {
    const kick = account({ platform: 'kick', displayName: 'djnova' });
    const { created, done } = renderForm('live', [kick]);
    expect([...select('Platform').options].find((option) => option.value === 'kick')!.disabled).toBe(false);
    change('Platform', 'kick');
    await waitFor(() => expect(select('Account').value).toBe(kick.id));
    fireEvent.click(screen.getByRole('button', { name: 'Save destination' }));
    await waitFor(() => expect(done()).toBe(1));
    expect(created).toEqual([{ environment: 'live', platform: 'kick', name: 'Kick', accountId: kick.id, enabled: true }]);
  });

  it('asks to connect an account first when none of the platform is connected in this environment, and cannot save', async () => {
    const { created } = renderForm('live', [account({ platform: 'youtube', environment: 'live' })]);
    change('Platform', 'facebook');
    expect((await screen.findByRole('status')).textContent).toBe('No Facebook account is connected for Live: connect one under Platforms first.');
    const save = screen.getByRole('button', { name: 'Save destination' }) as HTMLButtonElement;
    expect(save.disabled).toBe(true);
    fireEvent.click(save);
    expect(created).toEqual([]);
  });

  it('does not let a Facebook login without a chosen page be picked', async () => {
    const login = account({ platform: 'facebook', displayName: 'Facebook (page to choose)', status: 'choose-page', pages: [{ id: '1', name: 'Club' }] });
    renderForm('live', [login]);
    change('Platform', 'facebook');
    await waitFor(() => expect(select('Account').options[0]?.disabled).toBe(true));
    expect((screen.getByRole('button', { name: 'Save destination' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('creates an RTMP(S) destination from the Instagram preset (its URL filled) with the typed key', async () => {
    const { created, done } = renderForm('live', []);
    change('Platform', 'rtmp');
    expect(select('Preset').value).toBe('instagram');
    expect((screen.getByLabelText('Server URL') as HTMLInputElement).value).toBe('rtmps://live-upload.instagram.com:443/rtmp/');
    change('Stream key', 'IG-123-abc');
    fireEvent.click(screen.getByRole('button', { name: 'Save destination' }));
    await waitFor(() => expect(done()).toBe(1));
    expect(created).toEqual([
      { environment: 'live', platform: 'rtmp', name: 'Instagram', url: 'rtmps://live-upload.instagram.com:443/rtmp/', streamKey: 'IG-123-abc', enabled: true },
    ]);
  });

  it('leaves the URL to fill where the platform hands one out per live (TikTok), and checks it before sending', async () => {
    const { created, done } = renderForm('live', []);
    change('Platform', 'rtmp');
    change('Preset', 'tiktok');
    expect((screen.getByLabelText('Server URL') as HTMLInputElement).value).toBe('');
    change('Stream key', 'tt-key');
    fireEvent.click(screen.getByRole('button', { name: 'Save destination' }));
    expect(await screen.findByText(/url must be an rtmp:\/\/ or rtmps:\/\/ URL/)).toBeTruthy();
    expect(created).toEqual([]);

    change('Server URL', 'rtmp://push-rtmp-l1.tiktokcdn.com/game/');
    fireEvent.click(screen.getByRole('button', { name: 'Save destination' }));
    await waitFor(() => expect(done()).toBe(1));
    expect(created).toEqual([{ environment: 'live', platform: 'rtmp', name: 'TikTok', url: 'rtmp://push-rtmp-l1.tiktokcdn.com/game/', streamKey: 'tt-key', enabled: true }]);
  });
});
