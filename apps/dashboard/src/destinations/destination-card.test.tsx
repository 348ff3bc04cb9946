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

const renderCard = (value: Destination) =>
  render(
    <MantineProvider>
      <DestinationCard destination={value} recent={[4000, 4500, 4600]} now={NOW} />
    </MantineProvider>,
  );

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
});
