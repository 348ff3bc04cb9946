import { isApiPlatform, PLATFORM_RULES, type BroadcastView, type PlatformState, type RelayState } from '@streamcaster/contracts';

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

type BroadcastDestination = BroadcastView['destinations'][number];

/** The platform's own state in words; never alone as "live" or "error" (see `destinationLook`). */
const PLATFORM_STATE_WORDS: Record<PlatformState, string> = {
  creating: 'creating',
  ready: 'ready',
  'waiting-for-data': 'waiting for data',
  live: 'live',
  testing: 'testing',
  complete: 'complete',
  error: 'error',
};

/** How a destination of a running broadcast reads on its card. */
export interface DestinationLook {
  /** The relay's state word (the card's badge). */
  word: DestinationStateWord;
  /** The card's colour and its badge's: green only when bytes leave and the platform confirms. */
  color: string;
  /**
   * The platform's own state as one text, "YouTube: live", so that the relay's word stays the only
   * text of the card that is exactly one of the six; null for RTMP(S), where nobody can be asked.
   */
  platformText: string | null;
  platformColor: string;
  /** What the colour means in words: "confirmed by YouTube", "sending, not confirmed by YouTube". */
  note: string | null;
}

export function destinationLook(destination: BroadcastDestination): DestinationLook {
  const word = destinationStateWord(destination.state);
  const label = PLATFORM_RULES[destination.platform].label;
  const platformError = destination.platformState === 'error';
  let color: string;
  let note: string | null = null;
  if (word === 'error' || platformError) {
    color = 'red';
  } else if (word === 'live') {
    color = destination.confirmed ? 'green' : 'orange';
    if (isApiPlatform(destination.platform)) note = destination.confirmed ? `confirmed by ${label}` : `sending, not confirmed by ${label}`;
  } else {
    color = COLORS[word];
  }
  const state = destination.platformState;
  let platformColor = 'blue';
  if (state === 'error') platformColor = 'red';
  else if (state === 'complete') platformColor = 'gray';
  else if ((state === 'live' || state === 'testing') && destination.confirmed) platformColor = 'green';
  return {
    word,
    color,
    platformText: isApiPlatform(destination.platform) && state ? `${label}: ${PLATFORM_STATE_WORDS[state]}` : null,
    platformColor,
    note,
  };
}
