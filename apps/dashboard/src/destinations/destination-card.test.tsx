import { MantineProvider } from '@mantine/core';
import type { BroadcastView } from '@streamcaster/contracts';
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { HOSTILE_NAME } from '../test-utils';
import { DestinationCard } from './destination-card';

type Destination = BroadcastView['destinations'][number];
const NOW = Date.parse('2026-03-14T20:00:00Z');
const destination = (overrides: Partial<Destination> = {}): Destination => ({
  id: '22222222-2222-4222-8222-222222222222',
  name: 'YouTube main',
  platform: 'rtmp',
  state: 'live',
  liveSince: '2026-03-14T19:58:30Z',
  reconnects: 2,
  bitrateKbps: 4500,
  lastError: null,
  platformState: null,
  platformReason: null,
  confirmed: true,
  watchUrl: null,
  viewers: null,
  ...overrides,
});

const renderCard = (value: Destination, viewers?: number | null) =>
  render(
    <MantineProvider>
      <DestinationCard destination={value} viewers={viewers} recent={[4000, 4500, 4600]} now={NOW} />
    </MantineProvider>,
  );

const STATE_WORDS = ['pending', 'connecting', 'live', 'reconnecting', 'stopped', 'error'];
/** What the browser tests read: the texts of the card that are exactly one of the six words. */
const stateWordsShown = (card: HTMLElement) => STATE_WORDS.filter((word) => within(card).queryAllByText(word, { exact: true }).length > 0);
const colorOf = (card: HTMLElement) => card.getAttribute('style') ?? '';
const youtube = (overrides: Partial<Destination> = {}) =>
  destination({ name: 'Tube', platform: 'youtube', platformState: 'live', confirmed: true, watchUrl: 'https://www.youtube.com/watch?v=abc123', viewers: 1234, ...overrides });

describe('DestinationCard', () => {
  it('is a region named after the destination, with its state word, bitrate, reconnects and uptime', () => {
    renderCard(destination());
    const card = screen.getByRole('region', { name: 'YouTube main' });
    expect(within(card).getByText('live', { exact: true })).toBeTruthy();
    expect(within(card).getByText('4.50 Mb/s')).toBeTruthy();
    expect(within(card).getByText('2')).toBeTruthy();
    expect(within(card).getByText('1:30')).toBeTruthy();
    expect(within(card).getByRole('img', { name: /Bitrate of YouTube main/ })).toBeTruthy();
  });

  it('says "error" for a failed relay, with its reason as text', () => {
    renderCard(destination({ state: 'failed', liveSince: null, lastError: 'stream key cannot be read <b>key ***</b>' }));
    const card = screen.getByRole('region', { name: 'YouTube main' });
    expect(within(card).getByText('error', { exact: true })).toBeTruthy();
    expect(within(card).getByText('stream key cannot be read <b>key ***</b>')).toBeTruthy();
    expect(card.querySelector('b')).toBeNull();
  });

  it('shows reconnecting while it retries', () => {
    renderCard(destination({ state: 'reconnecting', liveSince: null, lastError: 'Connection refused' }));
    const card = screen.getByRole('region', { name: 'YouTube main' });
    expect(within(card).getByText('reconnecting', { exact: true })).toBeTruthy();
    expect(within(card).getByText('Connection refused')).toBeTruthy();
  });

  it('renders a name with HTML as text, never as markup', () => {
    renderCard(destination({ name: HOSTILE_NAME }));
    const card = screen.getByRole('region', { name: HOSTILE_NAME });
    expect(card.querySelector('img')).toBeNull();
    expect(within(card).getAllByText(HOSTILE_NAME).length).toBeGreaterThan(0);
  });

  it('is green, "confirmed by YouTube", only when bytes leave and YouTube confirms', () => {
    renderCard(youtube());
    const card = screen.getByRole('region', { name: 'Tube' });
    expect(stateWordsShown(card)).toEqual(['live']);
    expect(within(card).getByText('YouTube: live')).toBeTruthy();
    expect(within(card).getByText('confirmed by YouTube')).toBeTruthy();
    expect(colorOf(card)).toContain('green');
  });

  it('says "sending, not confirmed by YouTube" in amber, never green, while the relay sends and YouTube does not confirm', () => {
    renderCard(youtube({ platformState: 'waiting-for-data', confirmed: false, platformReason: 'YouTube has not seen the stream yet' }));
    const card = screen.getByRole('region', { name: 'Tube' });
    expect(stateWordsShown(card)).toEqual(['live']);
    expect(within(card).getByText('sending, not confirmed by YouTube')).toBeTruthy();
    expect(within(card).getByText('YouTube: waiting for data')).toBeTruthy();
    expect(within(card).getByText('YouTube has not seen the stream yet')).toBeTruthy();
    expect(colorOf(card)).toContain('orange');
    expect(card.innerHTML).not.toContain('green');
  });

  it("shows the platform's refusal in red with its reason, the relay's word unchanged", () => {
    renderCard(youtube({ state: 'connecting', liveSince: null, platformState: 'error', confirmed: false, watchUrl: null, platformReason: 'YouTube: the daily API quota is spent (quotaExceeded)' }));
    const card = screen.getByRole('region', { name: 'Tube' });
    expect(stateWordsShown(card)).toEqual(['connecting']);
    expect(within(card).getByText('YouTube: error')).toBeTruthy();
    const reason = within(card).getByText('YouTube: the daily API quota is spent (quotaExceeded)');
    expect(reason.getAttribute('style')).toContain('red');
    expect(colorOf(card)).toContain('red');
    expect(within(card).queryByRole('link')).toBeNull();
  });

  it('links to where the fans watch, in a new tab without an opener', () => {
    renderCard(youtube());
    const link = within(screen.getByRole('region', { name: 'Tube' })).getByRole('link', { name: 'Watch on YouTube' });
    expect(link.getAttribute('href')).toBe('https://www.youtube.com/watch?v=abc123');
    expect(link.getAttribute('target')).toBe('_blank');
    expect(link.getAttribute('rel')).toContain('noopener');
  });

  it("shows the platform's viewers, the 1 Hz stats' count before the view's, and \"—\" when none was reported", () => {
    const { unmount } = renderCard(youtube(), 1500);
    expect(within(screen.getByRole('region', { name: 'Tube' })).getByText('1,500')).toBeTruthy();
    unmount();
    renderCard(youtube({ name: 'Tube 2' }));
    expect(within(screen.getByRole('region', { name: 'Tube 2' })).getByText('1,234')).toBeTruthy();
    renderCard(youtube({ name: 'Tube 3', viewers: null }));
    const unknown = screen.getByRole('region', { name: 'Tube 3' });
    expect(within(unknown).getByText('Viewers').nextElementSibling?.textContent).toBe('—');
  });

  it('has no platform state, watch link or viewers for an RTMP(S) server', () => {
    renderCard(destination());
    const card = screen.getByRole('region', { name: 'YouTube main' });
    expect(within(card).getByText('RTMP(S)')).toBeTruthy();
    expect(within(card).queryByText('Viewers')).toBeNull();
    expect(within(card).queryByRole('link')).toBeNull();
    expect(colorOf(card)).toContain('green');
  });
});
