import { platformStateSchema, relayStateSchema, type BroadcastView } from '@streamcaster/contracts';
import { describe, expect, it } from 'vitest';
import { DESTINATION_STATE_WORDS, destinationLook, destinationStateColor, destinationStateWord } from './destination-state';

describe('destination state words', () => {
  it('gives every relay state one of the six words, failed reading "error"', () => {
    for (const state of relayStateSchema.options) expect(DESTINATION_STATE_WORDS).toContain(destinationStateWord(state));
    expect(destinationStateWord('failed')).toBe('error');
    expect(destinationStateWord('live')).toBe('live');
    expect(destinationStateWord('reconnecting')).toBe('reconnecting');
  });

  it('is green only when live, red on error, amber while reconnecting', () => {
    expect(destinationStateColor('live')).toBe('green');
    for (const word of DESTINATION_STATE_WORDS.filter((candidate) => candidate !== 'live')) expect(destinationStateColor(word)).not.toBe('green');
    expect(destinationStateColor('error')).toBe('red');
    expect(destinationStateColor('reconnecting')).toBe('orange');
  });
});

type Destination = BroadcastView['destinations'][number];
const base: Destination = {
  id: '22222222-2222-4222-8222-222222222222',
  name: 'Tube',
  platform: 'youtube',
  state: 'live',
  liveSince: null,
  reconnects: 0,
  bitrateKbps: null,
  lastError: null,
  platformState: null,
  platformReason: null,
  confirmed: false,
  watchUrl: null,
  viewers: null,
};

describe('destinationLook (no false green)', () => {
  it('is green only when the relay is live and the platform confirms, whatever else is true', () => {
    for (const state of relayStateSchema.options) {
      for (const platformState of [null, ...platformStateSchema.options]) {
        for (const confirmed of [false, true]) {
          const look = destinationLook({ ...base, state, platformState, confirmed });
          const expectGreen = state === 'live' && confirmed && platformState !== 'error';
          expect(look.color === 'green', `${state}/${platformState}/${confirmed}`).toBe(expectGreen);
          if (look.platformColor === 'green') expect(confirmed).toBe(true);
        }
      }
    }
  });

  it('reads amber "sending, not confirmed by <platform>" while the relay sends unconfirmed, red on a platform error', () => {
    expect(destinationLook({ ...base, platform: 'twitch', platformState: 'ready' })).toMatchObject({ color: 'orange', note: 'sending, not confirmed by Twitch', platformText: 'Twitch: ready' });
    expect(destinationLook({ ...base, platformState: 'error', platformReason: 'quota' })).toMatchObject({ color: 'red', platformColor: 'red', platformText: 'YouTube: error' });
    expect(destinationLook({ ...base, platform: 'facebook', platformState: 'live', confirmed: true })).toMatchObject({ color: 'green', note: 'confirmed by Facebook' });
  });

  it('never words the platform state as a bare state word, and has none for RTMP(S)', () => {
    for (const platformState of platformStateSchema.options) {
      const text = destinationLook({ ...base, platformState }).platformText!;
      expect(DESTINATION_STATE_WORDS).not.toContain(text);
      expect(text.startsWith('YouTube: ')).toBe(true);
    }
    expect(destinationLook({ ...base, platform: 'rtmp', confirmed: true })).toMatchObject({ color: 'green', platformText: null, note: null });
  });
});
