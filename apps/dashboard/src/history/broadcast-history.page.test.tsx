import type { BroadcastView, TrackView } from '@streamcaster/contracts';
import { screen, within } from '@testing-library/react';
import { Route, Routes } from 'react-router-dom';
import { describe, expect, it, vi } from 'vitest';
import { ADMIN, sessionOf } from '../destinations/platform-fixtures';
import { HOSTILE_NAME, renderWithApp, type Route as GatewayRoute } from '../test-utils';
import BroadcastHistoryPage from './broadcast-history.page';

// uPlot cannot run in jsdom; the page's own parts are what is tested here.
vi.mock('../charts/broadcast-charts', () => ({ default: () => null }));

const BROADCAST_ID = '11111111-1111-4111-8111-111111111111';
const broadcast: BroadcastView = {
  id: BROADCAST_ID,
  environment: 'live',
  state: 'ended',
  djId: '33333333-3333-4333-8333-333333333333',
  djName: 'DJ Nova',
  title: 'DJ Nova live',
  description: '',
  startedAt: '2026-03-14T19:58:00.000Z',
  endedAt: '2026-03-14T21:30:00.000Z',
  destinations: [],
  nowPlaying: { artist: 'Daft Punk', title: 'One More Time', startedAt: '2026-03-14T21:02:03.000Z' },
};
const track = (artist: string | null, title: string, startedAt: string): TrackView => ({ broadcastId: BROADCAST_ID, artist, title, source: 'api', startedAt });

function renderPage(tracks: () => { status: number; json?: unknown }) {
  const requested: string[] = [];
  const route: GatewayRoute = (method, path) => {
    requested.push(`${method} ${path}`);
    if (method === 'GET' && path === `/api/broadcasts/${BROADCAST_ID}`) return { status: 200, json: broadcast };
    if (method === 'GET' && path === `/api/broadcasts/${BROADCAST_ID}/tracks`) return tracks();
    if (method === 'GET' && path.startsWith(`/api/broadcasts/${BROADCAST_ID}/stats`)) {
      return { status: 200, json: { broadcastId: BROADCAST_ID, from: broadcast.startedAt, to: broadcast.endedAt, points: [] } };
    }
    return undefined;
  };
  const rendered = renderWithApp(
    <Routes>
      <Route path="/history/:broadcastId" element={<BroadcastHistoryPage />} />
    </Routes>,
    route,
    { path: `/history/${BROADCAST_ID}` },
  );
  rendered.api.session.set(sessionOf(ADMIN));
  return { requested };
}

describe('History: one broadcast, its tracklist', () => {
  it("lists the API's tracks in their order: time into the broadcast, artist, title, as text", async () => {
    const { requested } = renderPage(() => ({
      status: 200,
      json: [
        track(null, 'Intro', '2026-03-14T19:58:00.000Z'),
        track('Moderat', 'A New Error', '2026-03-14T20:01:05.000Z'),
        track('<b>Unknown</b>', HOSTILE_NAME, '2026-03-14T20:45:59.000Z'),
        track('Daft Punk', 'One More Time', '2026-03-14T21:02:03.000Z'),
      ],
    }));
    const table = await screen.findByRole('table', { name: 'Tracklist' });
    const rows = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((row) => within(row).getAllByRole('cell').map((cell) => cell.textContent));
    expect(rows).toEqual([
      ['00:00:00', '—', 'Intro'],
      ['00:03:05', 'Moderat', 'A New Error'],
      ['00:47:59', '<b>Unknown</b>', HOSTILE_NAME],
      ['01:04:03', 'Daft Punk', 'One More Time'],
    ]);
    expect(table.querySelector('b, img')).toBeNull();
    expect(requested).toContain(`GET /api/broadcasts/${BROADCAST_ID}/tracks`);
  });

  it('says so when no track was reported, with no empty table', async () => {
    renderPage(() => ({ status: 200, json: [] }));
    expect(await screen.findByText('No track was reported for this broadcast.')).toBeTruthy();
    expect(screen.queryByRole('table', { name: 'Tracklist' })).toBeNull();
  });

  it("shows the server's message when the tracklist cannot be loaded", async () => {
    renderPage(() => ({ status: 503, json: { statusCode: 503, message: 'the publisher service is not available' } }));
    expect((await screen.findByRole('alert')).textContent).toBe('the publisher service is not available');
  });
});
