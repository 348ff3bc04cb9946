import type { RelayState } from '@streamcaster/contracts';

/**
 * A destination's state in the words the crew reads (and the browser tests look for): exactly one
 * of these. The relay's `failed` (it cannot run at all, e.g. an unreadable key) reads `error`.
 */
export const DESTINATION_STATE_WORDS = ['pending', 'connecting', 'live', 'reconnecting', 'stopped', 'error'] as const;
export type DestinationStateWord = (typeof DESTINATION_STATE_WORDS)[number];

export function destinationStateWord(state: RelayState): DestinationStateWord {
  return state === 'failed' ? 'error' : state;
}

/**
 * Mantine colour per word: green only for `live` (no false green), amber while it tries, red when it
 * cannot. Colour is never the only signal: the word stands beside it.
 */
const COLORS: Record<DestinationStateWord, string> = {
  pending: 'gray',
  connecting: 'blue',
  live: 'green',
  reconnecting: 'orange',
  stopped: 'gray',
  error: 'red',
};

export function destinationStateColor(word: DestinationStateWord): string {
  return COLORS[word];
}
