import { GetBroadcast, type BroadcastState } from '@streamcaster/contracts';
import type { BusClient } from '../bus/bus.client.js';
import { BusRequestError } from '../bus/bus-error.js';

/** States in which a broadcast still wants its encoder and its recording. */
const RUNNING: ReadonlySet<BroadcastState> = new Set<BroadcastState>(['starting', 'live', 'interrupted']);

/**
 * Asks the publisher whether a broadcast still runs: true or false as it answers (an unknown
 * broadcast does not run), undefined when it could not be asked. Services that may miss the
 * `ending` event (core NATS) ask this whenever their process for the broadcast drops.
 */
export async function broadcastStillRuns(bus: BusClient, broadcastId: string): Promise<boolean | undefined> {
  try {
    return RUNNING.has((await bus.request(GetBroadcast, { id: broadcastId })).state);
  } catch (error) {
    return error instanceof BusRequestError && error.code === 'not_found' ? false : undefined;
  }
}
