import { Histogram } from 'prom-client';
import type { BusErrorCode } from '@streamcaster/contracts';

/** Up to 10 s: the longest a bus request waits (stop waits for the relays, up to 10 s). */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** `ok`, the code the owner refused with, or `unavailable` when nobody answered in time. */
export type BusOutcome = 'ok' | BusErrorCode | 'error';

export const busRequestDuration = new Histogram<'subject' | 'outcome'>({
  name: 'streamcaster_bus_request_duration_seconds',
  help: 'Commands this service asked on the bus (BusClient.request), from send to answer, by contract subject and outcome',
  labelNames: ['subject', 'outcome'],
  buckets: BUCKETS,
});

export const busCommandDuration = new Histogram<'subject' | 'outcome'>({
  name: 'streamcaster_bus_command_duration_seconds',
  help: 'Commands this service answered (@OnCommand), by contract subject and outcome',
  labelNames: ['subject', 'outcome'],
  buckets: BUCKETS,
});
