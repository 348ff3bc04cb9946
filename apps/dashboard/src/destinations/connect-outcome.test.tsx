import { fireEvent, screen, waitFor } from '@testing-library/react';
import { beforeEach, describe, expect, it } from 'vitest';
import { renderWithApp, type Route } from '../test-utils';
import { readConnectOutcome } from './connect-outcome';
import DestinationsPage from './destinations.page';
import { ADMIN, ALL_CONFIGURED, sessionOf } from './platform-fixtures';

const route: Route = (method, path) => {
  if (method !== 'GET') return undefined;
  if (path.startsWith('/api/destinations?')) return { status: 200, json: [] };
  if (path === '/api/platforms') return { status: 200, json: ALL_CONFIGURED };
  if (path.startsWith('/api/platform-accounts?')) return { status: 200, json: [] };
  return undefined;
};

const address = () => screen.getByTestId('current-address').textContent;

function openAt(query: Record<string, string>) {
  const rendered = renderWithApp(<DestinationsPage />, route, { path: `/destinations?${new URLSearchParams(query).toString()}` });
  rendered.api.session.set(sessionOf(ADMIN));
  return rendered;
}

beforeEach(() => localStorage.clear());

describe('the outcome of connecting an account', () => {
  it('shows a connected account in green with its message, takes the query out of the address and shows its environment', async () => {
    openAt({ connect: 'connected', platform: 'youtube', environment: 'test', message: 'YouTube account Radio Kosmos is connected for test.', accountId: 'aaaaaaaa-aaaa-4aaa-8aaa-000000000001' });
    const notice = await screen.findByRole('status', { name: 'YouTube connected' });
    expect(notice.textContent).toContain('YouTube account Radio Kosmos is connected for test.');
    expect(notice.getAttribute('data-outcome')).toBe('connected');
    expect(notice.getAttribute('style')).toContain('--mantine-color-green');
    await waitFor(() => expect(address()).toBe('/destinations'));
    // The account was connected for Test: the page switches there so that it is in view.
    expect(await screen.findByText('Test')).toBeTruthy();
    expect(localStorage.getItem('streamcaster.environment')).toBe('test');
  });

  it.each([
    ['denied', 'Twitch: access not allowed', 'You did not allow StreamCaster to use your Twitch account; nothing was connected.'],
    ['invalid-state', 'Twitch: this sign-in link is not valid', 'This Twitch sign-in was already used or is unknown. Nothing was connected; press Connect again.'],
    ['failed', 'Twitch: not connected', 'Twitch refused the code. Nothing was connected.'],
  ])('shows %s in red with the message, then removes the query', async (outcome, title, message) => {
    openAt({ connect: outcome, platform: 'twitch', message });
    const notice = await screen.findByRole('alert', { name: title });
    expect(notice.textContent).toContain(message);
    expect(notice.getAttribute('style')).toContain('--mantine-color-red');
    await waitFor(() => expect(address()).toBe('/destinations'));
  });

  it('can be dismissed, and is not shown again once the query is gone', async () => {
    openAt({ connect: 'choose-page', platform: 'facebook', environment: 'live', message: 'Choose which Facebook page StreamCaster streams as.' });
    const notice = await screen.findByRole('alert', { name: 'Facebook: choose a page' });
    expect(notice.getAttribute('style')).toContain('--mantine-color-yellow');
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    await waitFor(() => expect(screen.queryByRole('alert', { name: 'Facebook: choose a page' })).toBeNull());
    expect(address()).toBe('/destinations');
  });

  it('shows nothing without a known outcome in the query', async () => {
    openAt({ connect: 'pwned', platform: 'youtube', message: 'call 555-0100 for support' });
    await screen.findByRole('heading', { name: 'Platforms' });
    expect(screen.queryByText('call 555-0100 for support')).toBeNull();
  });
});

describe('readConnectOutcome', () => {
  it('names an unknown platform generically and cuts a message longer than a sentence or two', () => {
    const notice = readConnectOutcome(new URLSearchParams({ connect: 'failed', platform: 'myspace', environment: 'staging', message: 'x'.repeat(2000) }));
    expect(notice?.title).toBe('Platform: not connected');
    expect(notice?.environment).toBeNull();
    expect(notice?.message).toHaveLength(500);
  });
});
