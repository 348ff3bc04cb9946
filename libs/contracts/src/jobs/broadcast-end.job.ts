import { z } from 'zod';

/** Delayed job that ends a broadcast once the DJ's grace period ran out without the DJ coming back. */
export const BROADCAST_QUEUE = 'broadcast';

export const endBroadcastJobSchema = z.object({ broadcastId: z.uuid(), reason: z.string() });
export type EndBroadcastJob = z.infer<typeof endBroadcastJobSchema>;

export interface BroadcastJobs {
  end: EndBroadcastJob;
}
