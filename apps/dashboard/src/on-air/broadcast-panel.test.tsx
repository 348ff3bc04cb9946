import type { BroadcastView, SessionUser } from '@streamcaster/contracts';
import { cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { ADMIN, OPERATOR } from '../destinations/platform-fixtures';
import { HOSTILE_NAME, renderWithApp, type Route } from '../test-utils';
import { BroadcastPanel } from './broadcast-panel';
import { OnAirPage } from './on-air.page';

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
  nowPlaying: { artist: 'Moderat', title: 'A New Error', startedAt: '2026-03-14T20:01:00Z' },
};

type Answer = { status: number; json?: unknown };
const DJ_NOVA: SessionUser = { id: '00000000-0000-4000-8000-000000000003', email: 'nova@example.com', role: 'dj', djId: broadcast.djId };
const OTHER_DJ: SessionUser = { id: '00000000-0000-4000-8000-000000000004', email: 'kai@example.com', role: 'dj', djId: '33333333-3333-4333-8333-444444444444' };
const NOW_PLAYING_PATH = `/api/broadcasts/${BROADCAST_ID}/now-playing`;
const sessionOf = (user: SessionUser) => ({ accessToken: 'token', expiresAt: new Date(Date.now() + 15 * 60_000).toISOString(), user }) as never;

/**
 * The gateway for one broadcast: its stats, PATCH answered by `patch`, POST …/now-playing answered by
 * `setTrack`, and (for the On air page) the running list, which shows what `listed()` returns then.
 */
function gateway({ patch, setTrack, listed = () => [broadcast] }: { patch?: (body: unknown) => Answer; setTrack?: (body: unknown) => Answer; listed?: () => BroadcastView[] } = {}) {
  const patches: unknown[] = [];
  const trackPosts: unknown[] = [];
  const route: Route = (method, path, body) => {
    if (method === 'GET' && path.startsWith(`/api/broadcasts/${BROADCAST_ID}/stats`)) {
      return { status: 200, json: { broadcastId: BROADCAST_ID, from: broadcast.startedAt, to: broadcast.startedAt, points: [] } };
    }
    if (method === 'GET' && path.startsWith('/api/broadcasts?')) return { status: 200, json: listed() };
    if (method === 'PATCH' && path === `/api/broadcasts/${BROADCAST_ID}`) {
      patches.push(body);
      return patch?.(body);
    }
    if (method === 'POST' && path === NOW_PLAYING_PATH) {
      trackPosts.push(body);
      return setTrack?.(body);
    }
    return undefined;
  };
  return { route, patches, trackPosts };
}

function renderPanel({ view = broadcast, user = ADMIN, ...answers }: { view?: BroadcastView; user?: SessionUser; patch?: (body: unknown) => Answer; setTrack?: (body: unknown) => Answer } = {}) {
  const { route, patches, trackPosts } = gateway(answers);
  const rendered = renderWithApp(<BroadcastPanel initial={view} />, route);
  rendered.api.session.set(sessionOf(user));
  return { patches, trackPosts };
}

describe('On air: a running broadcast', () => {
  it("shows the broadcast's viewers on every platform together", async () => {
    renderPanel();
    const viewers = await screen.findByRole('region', { name: 'Viewers' });
    expect(within(viewers).getByText('1,234')).toBeTruthy();
  });

  it("shows, after a title is saved, how each platform took it: updated, refused with the platform's reason, not running", async () => {
    const { patches } = renderPanel({
      patch: (body) => ({
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
      }),
    });
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
    renderPanel({ patch: () => ({ status: 400, json: { statusCode: 400, message: 'title: title is longer than 100 characters' } }) });
    fireEvent.click(await screen.findByRole('button', { name: 'Edit title' }));
    fireEvent.change(screen.getByLabelText('Title'), { target: { value: 'x'.repeat(50) } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText('title: title is longer than 100 characters')).toBeTruthy();
    expect(screen.queryByRole('region', { name: "Platforms' answers to the change" })).toBeNull();
  });
});

describe('On air: what plays now', () => {
  const track = (artist: string | null, title: string) => ({ broadcastId: BROADCAST_ID, artist, title, source: 'api', startedAt: '2026-03-14T20:05:00.000Z' });

  it('shows the track line as text, markup and all', async () => {
    renderPanel({ view: { ...broadcast, nowPlaying: { artist: '<b>Daft Punk</b>', title: HOSTILE_NAME, startedAt: '2026-03-14T20:01:00Z' } } });
    const nowPlaying = await screen.findByLabelText('Now playing');
    expect(nowPlaying.textContent).toBe(`<b>Daft Punk</b> – ${HOSTILE_NAME}`);
    expect(screen.getByRole('article', { name: 'Broadcast of DJ Nova' }).querySelector('b, img')).toBeNull();
  });

  it('shows the title alone without an artist, and "No track yet" before the first track', async () => {
    renderPanel({ view: { ...broadcast, nowPlaying: { artist: null, title: 'Intro', startedAt: '2026-03-14T20:01:00Z' } } });
    expect((await screen.findByLabelText('Now playing')).textContent).toBe('Intro');
    cleanup();
    renderPanel({ view: { ...broadcast, nowPlaying: null } });
    expect(await screen.findByText('No track yet')).toBeTruthy();
    expect(screen.queryByLabelText('Now playing')).toBeNull();
  });

  it("refuses an empty title with the schema's own message and sends nothing", async () => {
    const { trackPosts } = renderPanel({ setTrack: (body) => ({ status: 201, json: track(null, (body as { title: string }).title) }) });
    fireEvent.click(await screen.findByRole('button', { name: 'Set track' }));
    fireEvent.change(screen.getByLabelText('Artist'), { target: { value: 'Daft Punk' } });
    fireEvent.change(screen.getByLabelText('Track title'), { target: { value: '   ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set track' }));
    expect(await screen.findByText('title must not be empty')).toBeTruthy();
    expect(trackPosts).toEqual([]);
  });

  it("posts { artist, title } to the broadcast's now-playing, then shows the refreshed broadcast's track", async () => {
    let current: BroadcastView = broadcast;
    const { route, trackPosts } = gateway({
      listed: () => [current],
      setTrack: (body) => {
        const { artist, title } = body as { artist: string; title: string };
        current = { ...broadcast, nowPlaying: { artist, title, startedAt: '2026-03-14T20:05:00.000Z' } };
        return { status: 201, json: track(artist, title) };
      },
    });
    const rendered = renderWithApp(<OnAirPage />, route);
    rendered.api.session.set(sessionOf(OPERATOR));
    expect((await screen.findByLabelText('Now playing')).textContent).toBe('Moderat – A New Error');

    fireEvent.click(screen.getByRole('button', { name: 'Set track' }));
    fireEvent.change(screen.getByLabelText('Artist'), { target: { value: 'Daft Punk' } });
    fireEvent.change(screen.getByLabelText('Track title'), { target: { value: 'One More Time' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set track' }));

    await waitFor(() => expect(screen.getByLabelText('Now playing').textContent).toBe('Daft Punk – One More Time'));
    expect(trackPosts).toEqual([{ artist: 'Daft Punk', title: 'One More Time' }]);
    expect(screen.queryByLabelText('Track title')).toBeNull();
  });

  it("sends no artist when Artist is empty, and shows the server's refusal in the open form", async () => {
    const { trackPosts } = renderPanel({ setTrack: () => ({ status: 409, json: { statusCode: 409, message: 'the broadcast is not running' } }) });
    fireEvent.click(await screen.findByRole('button', { name: 'Set track' }));
    fireEvent.change(screen.getByLabelText('Track title'), { target: { value: 'Intro' } });
    fireEvent.click(screen.getByRole('button', { name: 'Set track' }));
    expect((await screen.findByRole('alert')).textContent).toBe('the broadcast is not running');
    expect(trackPosts).toEqual([{ title: 'Intro' }]);
    expect((screen.getByLabelText('Track title') as HTMLInputElement).value).toBe('Intro');
  });

  it("offers Set track to the crew and to the broadcast's own DJ, not to another DJ", async () => {
    for (const [user, offered] of [
      [OPERATOR, true],
      [DJ_NOVA, true],
      [OTHER_DJ, false],
    ] as const) {
      renderPanel({ user });
      await screen.findByLabelText('Now playing');
      expect(screen.queryByRole('button', { name: 'Set track' }) !== null).toBe(offered);
      cleanup();
    }
  });
});
