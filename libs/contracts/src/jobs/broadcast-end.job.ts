import { z } from 'zod';

/** Delayed job that ends a broadcast once the DJ's grace period ran out without the DJ coming back. */
export const BROADCAST_QUEUE = 'broadcast';

/**
 * `ingestId` is the DJ connection whose loss started the grace period; a newer loss has its own job.
 * `interruptedAt` tells two interruptions of one connection apart (its picture stalled, came back and
 * stalled again): each has its own grace period. Jobs from before it have none.
 */
export const endBroadcastJobSchema = z.object({ broadcastId: z.uuid(), ingestId: z.uuid(), interruptedAt: z.iso.datetime().optional() });
export type EndBroadcastJob = z.infer<typeof endBroadcastJobSchema>;

export interface BroadcastJobs {
  end: EndBroadcastJob;
}
