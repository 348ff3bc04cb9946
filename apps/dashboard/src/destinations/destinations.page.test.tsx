import type { DestinationView } from '@streamcaster/contracts';
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithApp, type Route } from '../test-utils';
import DestinationsPage from './destinations.page';
import { account, ADMIN, ALL_CONFIGURED, sessionOf } from './platform-fixtures';

const NOW = '2026-03-14T18:00:00.000Z';
const destination = (overrides: Partial<DestinationView> & Pick<DestinationView, 'id' | 'name' | 'platform'>): DestinationView => ({
  environment: 'live',
  url: null,
  accountId: null,
  privacy: null,
  enabled: true,
  createdAt: NOW,
  updatedAt: NOW,
  ...overrides,
});

describe('Destinations page', () => {
  it("shows each destination's platform, and for a platform driven through its API the account it streams as instead of a URL", async () => {
    const channel = account({ platform: 'youtube', displayName: 'Radio Kosmos', channelUrl: 'https://www.youtube.com/channel/UC123' });
    const revoked = account({ platform: 'twitch', displayName: 'djnova', status: 'needs-reconnect', statusReason: 'Twitch says the refresh token is invalid' });
    const destinations = [
      destination({ id: '44444444-4444-4444-8444-000000000001', name: 'Tube', platform: 'youtube', accountId: channel.id, privacy: 'unlisted' }),
      destination({ id: '44444444-4444-4444-8444-000000000002', name: 'Twitch main', platform: 'twitch', accountId: revoked.id }),
      destination({ id: '44444444-4444-4444-8444-000000000003', name: 'Insta', platform: 'rtmp', url: 'rtmps://live-upload.instagram.com:443/rtmp/' }),
      destination({ id: '44444444-4444-4444-8444-000000000004', name: 'Orphan', platform: 'kick', accountId: 'aaaaaaaa-aaaa-4aaa-8aaa-999999999999' }),
    ];
    const route: Route = (method, path) => {
      if (method !== 'GET') return undefined;
      if (path === '/api/destinations?environment=live') return { status: 200, json: destinations };
      if (path === '/api/platforms') return { status: 200, json: ALL_CONFIGURED };
      if (path === '/api/platform-accounts?environment=live') return { status: 200, json: [channel, revoked] };
      return undefined;
    };
    const { api } = renderWithApp(<DestinationsPage />, route);
    api.session.set(sessionOf(ADMIN));

    const row = async (name: string) => (await screen.findByRole('cell', { name })).closest('tr')!;
    const tube = await row('Tube');
    expect(within(tube).getByText('YouTube')).toBeTruthy();
    expect((await within(tube).findByRole('link', { name: 'Radio Kosmos' })).getAttribute('href')).toBe('https://www.youtube.com/channel/UC123');
    expect(within(tube).getByText('unlisted')).toBeTruthy();
    expect(tube.textContent).not.toContain('rtmp');

    const twitch = await row('Twitch main');
    expect(within(twitch).getByText('djnova')).toBeTruthy();
    expect(within(twitch).getByText('Needs reconnect: Twitch says the refresh token is invalid')).toBeTruthy();

    const insta = await row('Insta');
    expect(within(insta).getByText('RTMP(S)')).toBeTruthy();
    expect(within(insta).getByText('rtmps://live-upload.instagram.com:443/rtmp/')).toBeTruthy();

    expect(within(await row('Orphan')).getByText('Its Kick account is no longer connected.')).toBeTruthy();
  });
});
