import type { BroadcastView } from '@streamcaster/contracts';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ADMIN, sessionOf } from '../destinations/platform-fixtures';
import { HOSTILE_NAME, renderWithApp, type Route } from '../test-utils';
import { BroadcastPanel } from './broadcast-panel';

// Neither hls.js nor uPlot can run in jsdom; the panel's own parts are what is tested here.
vi.mock('./preview-player', () => ({ PreviewPlayer: () => null }));
vi.mock('../charts/broadcast-charts', () => ({ default: () => null }));

type Destination = BroadcastView['destinations'][number];
const BROADCAST_ID = '11111111-1111-4111-8111-111111111111';
const ids = { youtube: '22222222-2222-4222-8222-000000000001', twitch: '22222222-2222-4222-8222-000000000002', club: '22222222-2222-4222-8222-000000000003' };
const destination = (overrides: Partial<Destination> & Pick<Destination, 'id' | 'name' | 'platform'>): Destination => ({
  state: 'live',
  liveSince: '2026-03-14T19:58:30Z',
  reconnects: 0,
  bitrateKbps: 4500,
  lastError: null,
  platformState: null,
  platformReason: null,
  confirmed: true,
  watchUrl: null,
  viewers: null,
  ...overrides,
});
const broadcast: BroadcastView = {
  id: BROADCAST_ID,
  environment: 'live',
  state: 'live',
  djId: '33333333-3333-4333-8333-333333333333',
  djName: 'DJ Nova',
  title: 'DJ Nova live',
  description: '',
  startedAt: '2026-03-14T19:58:00Z',
  endedAt: null,
  destinations: [
    destination({ id: ids.youtube, name: 'Tube', platform: 'youtube', platformState: 'live', viewers: 1200, watchUrl: 'https://www.youtube.com/watch?v=abc' }),
    destination({ id: ids.twitch, name: 'Twitch main', platform: 'twitch', platformState: 'live', viewers: 34 }),
    destination({ id: ids.club, name: 'Club server', platform: 'rtmp' }),
  ],
};

function renderPanel(patch?: (body: unknown) => { status: number; json?: unknown }) {
  const patches: unknown[] = [];
  const route: Route = (method, path, body) => {
    if (method === 'GET' && path.startsWith(`/api/broadcasts/${BROADCAST_ID}/stats`)) {
      return { status: 200, json: { broadcastId: BROADCAST_ID, from: broadcast.startedAt, to: broadcast.startedAt, points: [] } };
    }
    if (method === 'PATCH' && path === `/api/broadcasts/${BROADCAST_ID}`) {
      patches.push(body);
      return patch?.(body);
    }
    return undefined;
  };
  const rendered = renderWithApp(<BroadcastPanel initial={broadcast} />, route);
  rendered.api.session.set(sessionOf(ADMIN));
  return { patches };
}

describe('On air: a running broadcast', () => {
  it("shows the broadcast's viewers on every platform together", async () => {
    renderPanel();
    const viewers = await screen.findByRole('region', { name: 'Viewers' });
    expect(within(viewers).getByText('1,234')).toBeTruthy();
  });

  it("shows, after a title is saved, how each platform took it: updated, refused with the platform's reason, not running", async () => {
    const { patches } = renderPanel((body) => ({
      status: 200,
      json: {
        ...broadcast,
        title: (body as { title: string }).title,
        platformUpdates: [
          { destinationId: ids.youtube, name: 'Tube', platform: 'youtube', outcome: 'updated', message: 'YouTube has the new title' },
          { destinationId: ids.twitch, name: HOSTILE_NAME, platform: 'twitch', outcome: 'refused', message: 'Twitch refused the title: <b>banned word</b>' },
          { destinationId: '22222222-2222-4222-8222-000000000004', name: 'Kick main', platform: 'kick', outcome: 'not-running', message: 'Kick is not live for this broadcast' },
        ],
      },
    }));
    fireEvent.click(await screen.findByRole('button', { name: 'Edit title' }));
    fireEvent.change(screen.getByLabelText('Title'), { target: { value: 'DJ Nova — closing set' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    const answers = await screen.findByRole('alert', { name: "Platforms' answers to the change" });
    expect(patches).toEqual([{ title: 'DJ Nova — closing set' }]);
    expect(within(answers).getByText('Not every platform took the change')).toBeTruthy();
    const items = within(answers).getAllByRole('listitem');
    expect(items.map((item) => item.getAttribute('data-outcome'))).toEqual(['updated', 'refused', 'not-running']);
    expect(items[0]!.textContent).toBe('Tube (YouTube): updated');
    expect(items[1]!.textContent).toBe(`${HOSTILE_NAME} (Twitch): refused, keeps its old text — Twitch refused the title: <b>banned word</b>`);
    expect(items[2]!.textContent).toBe('Kick main (Kick): not running there now — Kick is not live for this broadcast');
    expect(answers.querySelector('b, img')).toBeNull();

    fireEvent.click(within(answers).getByRole('button', { name: "Dismiss the platforms' answers" }));
    await waitFor(() => expect(screen.queryByRole('alert', { name: "Platforms' answers to the change" })).toBeNull());
  });

  it('keeps the editor open with the refusal when the gateway refuses the title itself', async () => {
    renderPanel(() => ({ status: 400, json: { statusCode: 400, message: 'title: title is longer than 100 characters' } }));
    fireEvent.click(await screen.findByRole('button', { name: 'Edit title' }));
    fireEvent.change(screen.getByLabelText('Title'), { target: { value: 'x'.repeat(50) } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('title: title is longer than 100 characters')).toBeTruthy();
    expect(screen.queryByRole('region', { name: "Platforms' answers to the change" })).toBeNull();
  });
});
