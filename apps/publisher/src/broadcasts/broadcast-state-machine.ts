import type { BroadcastState } from '@streamcaster/contracts';

/** What can happen to a broadcast. */
export type BroadcastEvent =
  | 'program-up' // the transcoder's program stream is published
  | 'dj-left' // the DJ's publisher disconnected
  | 'dj-returned' // the DJ published again within the grace period
  | 'stop' // the grace period ran out, or a person pressed stop
  | 'stopped' // relays and encoder are gone
  | 'failure'; // something that cannot be retried

const TRANSITIONS: Record<BroadcastState, Partial<Record<BroadcastEvent, BroadcastState>>> = {
  starting: { 'program-up': 'live', 'dj-left': 'interrupted', 'dj-returned': 'starting', stop: 'ending', failure: 'failed' },
  live: { 'program-up': 'live', 'dj-left': 'interrupted', 'dj-returned': 'live', stop: 'ending', failure: 'failed' },
  interrupted: { 'dj-returned': 'live', 'program-up': 'interrupted', 'dj-left': 'interrupted', stop: 'ending', failure: 'failed' },
  ending: { stopped: 'ended', stop: 'ending', failure: 'failed' },
  ended: {},
  failed: {},
};

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: BroadcastState,
    readonly event: BroadcastEvent,
  ) {
    super(`a broadcast that is ${from} cannot take "${event}"`);
    this.name = 'IllegalTransitionError';
  }
}

export function nextState(from: BroadcastState, event: BroadcastEvent): BroadcastState {
  const to = TRANSITIONS[from][event];
  if (to === undefined) throw new IllegalTransitionError(from, event);
  return to;
}

export function canTake(from: BroadcastState, event: BroadcastEvent): boolean {
  return TRANSITIONS[from][event] !== undefined;
}

/** States in which the broadcast still holds resources (relays, encoder job, recording). */
export const ACTIVE_STATES: readonly BroadcastState[] = ['starting', 'live', 'interrupted', 'ending'];

/** States in which the broadcast wants its program, its relays and its recording running. */
export { RUNNING_BROADCAST_STATES as RUNNING_STATES } from '@streamcaster/contracts';
