import { broadcastRuns, GetBroadcast } from '@streamcaster/contracts';
import type { BusClient } from '../bus/bus.client.js';
import { BusRequestError } from '../bus/bus-error.js';

/**
 * Asks the publisher whether a broadcast still runs: true or false as it answers (an unknown
 * broadcast does not run), undefined when it could not be asked. Services that may miss the
 * `ending` event (core NATS) ask this whenever their process for the broadcast drops.
 */
export async function broadcastStillRuns(bus: BusClient, broadcastId: string): Promise<boolean | undefined> {
  try {
    return broadcastRuns((await bus.request(GetBroadcast, { id: broadcastId })).state);
  } catch (error) {
    return error instanceof BusRequestError && error.code === 'not_found' ? false : undefined;
  }
}
