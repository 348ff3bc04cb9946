import { relayStateSchema } from '@streamcaster/contracts';
import { describe, expect, it } from 'vitest';
import { DESTINATION_STATE_WORDS, destinationStateColor, destinationStateWord } from './destination-state';

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
