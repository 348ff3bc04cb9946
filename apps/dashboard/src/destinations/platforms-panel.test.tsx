import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { browserLocation } from '../shell/browser-location';
import { HOSTILE_NAME, renderWithApp, type Route } from '../test-utils';
import { account, ADMIN, ALL_CONFIGURED, OPERATOR, sessionOf, setup } from './platform-fixtures';
import { PlatformsPanel } from './platforms-panel';

interface Sent {
  method: string;
  path: string;
  body: unknown;
}

function gateway(answers: { setups?: unknown; accounts?: unknown; extra?: Route } = {}) {
  const sent: Sent[] = [];
  const route: Route = (method, path, body) => {
    sent.push({ method, path, body });
    const extra = answers.extra?.(method, path, body);
    if (extra) return extra;
    if (method === 'GET' && path === '/api/platforms') return { status: 200, json: answers.setups ?? ALL_CONFIGURED };
    if (method === 'GET' && path.startsWith('/api/platform-accounts?')) return { status: 200, json: answers.accounts ?? [] };
    return undefined;
  };
  return { route, sent };
}

function renderPanel(route: Route, user: typeof ADMIN | typeof OPERATOR = ADMIN, environment: 'live' | 'test' = 'live') {
  const rendered = renderWithApp(<PlatformsPanel environment={environment} />, route);
  rendered.api.session.set(sessionOf(user));
  return rendered;
}

beforeEach(() => {
  vi.spyOn(browserLocation, 'assign').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('Platforms panel', () => {
  it('says what to set for a platform that is not configured, with the redirect URI to register, and offers no Connect', async () => {
    const { route } = gateway({ setups: [setup('youtube', false), setup('twitch')] });
    renderPanel(route);
    const youtube = await screen.findByRole('region', { name: 'YouTube' });
    expect(within(youtube).getByText('not configured')).toBeTruthy();
    expect(within(youtube).getByText('YOUTUBE_CLIENT_ID')).toBeTruthy();
    expect(within(youtube).getByText('YOUTUBE_CLIENT_SECRET')).toBeTruthy();
    expect((within(youtube).getByLabelText('YouTube redirect URI') as HTMLInputElement).value).toBe('https://streamcaster.example/api/platform-accounts/callback/youtube');
    expect(within(youtube).queryByRole('button', { name: /^Connect/ })).toBeNull();
    const twitch = screen.getByRole('region', { name: 'Twitch' });
    expect(within(twitch).getByRole('button', { name: 'Connect Twitch' })).toBeTruthy();
  });

  it('shows a connected account: its name linking to the channel, its status, YouTube quota, and "Connect another"', async () => {
    const channel = account({ platform: 'youtube', displayName: 'Radio Kosmos', channelUrl: 'https://www.youtube.com/channel/UC123', quota: { usedToday: 1234, dailyBudget: 10000 } });
    const { route, sent } = gateway({ accounts: [channel] });
    renderPanel(route);
    const youtube = await screen.findByRole('region', { name: 'YouTube' });
    const link = await within(youtube).findByRole('link', { name: 'Radio Kosmos' });
    expect(link.getAttribute('href')).toBe('https://www.youtube.com/channel/UC123');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toContain('noopener');
    expect(within(youtube).getByText('connected')).toBeTruthy();
    expect(within(youtube).getByText('1,234 of 10,000 units used today')).toBeTruthy();
    expect(within(youtube).getByRole('button', { name: 'Connect another YouTube account' })).toBeTruthy();
    expect(sent.some((request) => request.path === '/api/platform-accounts?environment=live')).toBe(true);
  });

  it('Connect asks the gateway for the sign-in of this platform and environment, then sends the browser there', async () => {
    const { route, sent } = gateway({
      extra: (method, path) => (method === 'POST' && path === '/api/platform-accounts' ? { status: 201, json: { authorizeUrl: 'https://id.twitch.tv/oauth2/authorize?state=s1' } } : undefined),
    });
    renderPanel(route, ADMIN, 'test');
    fireEvent.click(await screen.findByRole('button', { name: 'Connect Twitch' }));
    await waitFor(() => expect(browserLocation.assign).toHaveBeenCalledWith('https://id.twitch.tv/oauth2/authorize?state=s1'));
    expect(sent.find((request) => request.method === 'POST')?.body).toEqual({ platform: 'twitch', environment: 'test' });
  });

  it("shows the gateway's refusal of Connect next to the button, and stays on the page", async () => {
    const { route } = gateway({
      extra: (method, path) =>
        method === 'POST' && path === '/api/platform-accounts' ? { status: 400, json: { statusCode: 400, message: 'Twitch is not configured: set TWITCH_CLIENT_ID' } } : undefined,
    });
    renderPanel(route);
    fireEvent.click(await screen.findByRole('button', { name: 'Connect Twitch' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Twitch is not configured: set TWITCH_CLIENT_ID');
    expect(browserLocation.assign).not.toHaveBeenCalled();
  });

  it('shows an account that needs reconnecting in red with the reason, and Reconnect starts a new sign-in', async () => {
    const revoked = account({ platform: 'youtube', displayName: 'Radio Kosmos', status: 'needs-reconnect', statusReason: 'YouTube says the token was revoked (invalid_grant).' });
    const { route, sent } = gateway({
      accounts: [revoked],
      extra: (method, path) => (method === 'POST' && path === '/api/platform-accounts' ? { status: 201, json: { authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth?state=s2' } } : undefined),
    });
    renderPanel(route);
    const item = await screen.findByRole('article', { name: 'YouTube account Radio Kosmos' });
    expect(within(item).getByText('needs reconnect')).toBeTruthy();
    const reason = within(item).getByText(/YouTube says the token was revoked \(invalid_grant\)\./);
    expect(reason.getAttribute('style')).toContain('--mantine-color-red');
    fireEvent.click(within(item).getByRole('button', { name: 'Reconnect Radio Kosmos' }));
    await waitFor(() => expect(browserLocation.assign).toHaveBeenCalledWith('https://accounts.google.com/o/oauth2/v2/auth?state=s2'));
    expect(sent.find((request) => request.method === 'POST')?.body).toEqual({ platform: 'youtube', environment: 'live' });
  });

  it('lets the admin choose the Facebook page of a login that manages several', async () => {
    const login = account({
      platform: 'facebook',
      displayName: 'Facebook (page to choose)',
      status: 'choose-page',
      pages: [
        { id: '111', name: 'Club Night' },
        { id: '222', name: HOSTILE_NAME },
      ],
    });
    const { route, sent } = gateway({
      accounts: [login],
      extra: (method, path) =>
        method === 'POST' && path === `/api/platform-accounts/${login.id}/page`
          ? { status: 200, json: { ...login, status: 'connected', externalId: '222', displayName: HOSTILE_NAME, pages: [] } }
          : undefined,
    });
    const { container } = renderPanel(route);
    const facebook = await screen.findByRole('region', { name: 'Facebook' });
    expect(await within(facebook).findByText('choose a page')).toBeTruthy();
    const picker = within(facebook).getByLabelText('Facebook page') as HTMLSelectElement;
    expect([...picker.options].map((option) => option.textContent)).toEqual(['Club Night', HOSTILE_NAME]);
    expect(container.querySelector('img')).toBeNull();
    fireEvent.change(picker, { target: { value: '222' } });
    fireEvent.click(within(facebook).getByRole('button', { name: 'Use this page' }));
    await waitFor(() => expect(sent.find((request) => request.method === 'POST')?.body).toEqual({ pageId: '222' }));
  });

  it('offers no Connect for Kick in Test, and says why', async () => {
    const { route } = gateway();
    renderPanel(route, ADMIN, 'test');
    const kick = await screen.findByRole('region', { name: 'Kick' });
    expect(within(kick).getByText(/Kick has no private or test mode/)).toBeTruthy();
    expect(within(kick).queryByRole('button')).toBeNull();
    expect(within(screen.getByRole('region', { name: 'YouTube' })).getByRole('button', { name: 'Connect YouTube' })).toBeTruthy();
  });

  it('removes an account after confirmation and shows what the gateway answered', async () => {
    const channel = account({ platform: 'twitch', displayName: 'djnova' });
    let removed = false;
    const { route } = gateway({
      extra: (method, path) => {
        if (method === 'GET' && path.startsWith('/api/platform-accounts?')) return { status: 200, json: removed ? [] : [channel] };
        if (method === 'DELETE' && path === `/api/platform-accounts/${channel.id}`) {
          removed = true;
          return { status: 200, json: { id: channel.id, revoked: false, message: 'Removed djnova; Twitch could not be reached to revoke its token.' } };
        }
        return undefined;
      },
    });
    renderPanel(route);
    fireEvent.click(await screen.findByRole('button', { name: 'Remove djnova' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Remove account' }));
    expect(await screen.findByText('Removed djnova; Twitch could not be reached to revoke its token.')).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole('article', { name: 'Twitch account djnova' })).toBeNull());
  });

  it('keeps the account and shows the refusal when destinations still use it', async () => {
    const channel = account({ platform: 'kick', displayName: 'djnova' });
    const { route } = gateway({
      accounts: [channel],
      extra: (method, path) =>
        method === 'DELETE' && path === `/api/platform-accounts/${channel.id}`
          ? { status: 409, json: { statusCode: 409, message: 'djnova is used by the destination "Kick main": delete it first' } }
          : undefined,
    });
    renderPanel(route);
    fireEvent.click(await screen.findByRole('button', { name: 'Remove djnova' }));
    fireEvent.click(await screen.findByRole('button', { name: 'Remove account' }));
    expect((await screen.findByText('djnova is used by the destination "Kick main": delete it first')).getAttribute('role')).toBe('alert');
  });

  it('shows an operator the accounts but neither Connect, Reconnect nor Remove', async () => {
    const revoked = account({ platform: 'youtube', displayName: 'Radio Kosmos', status: 'needs-reconnect', statusReason: 'revoked' });
    const { route } = gateway({ accounts: [revoked] });
    renderPanel(route, OPERATOR);
    const item = await screen.findByRole('article', { name: 'YouTube account Radio Kosmos' });
    expect(within(item).getByText('needs reconnect')).toBeTruthy();
    expect(screen.queryAllByRole('button')).toEqual([]);
  });
});
