import { Counter, Gauge } from 'prom-client';
import { broadcastStateSchema, relayStateSchema, type BroadcastState, type RelayState } from '@streamcaster/contracts';
import { countsByKey, readWithin, ScrapeSources } from '@streamcaster/service-kit';

/** The publisher's database, asked at each scrape (any replica gives the same figures). */
export const broadcastCountSources = new ScrapeSources<{ countByState(): Promise<Map<BroadcastState, number>> }>();
/** The relays a replica runs now. */
export const relayStateSources = new ScrapeSources<{ relayStates(): RelayState[] }>();

export const broadcastsByState = new Gauge<'state'>({
  name: 'streamcaster_broadcasts',
  help: 'Broadcasts by state, from the database (the same on every publisher replica)',
  labelNames: ['state'],
  async collect() {
    // One is enough: every source reads the same table.
    const source = broadcastCountSources.all.at(-1);
    if (!source) return;
    const counts = await readWithin(() => source.countByState(), 1_000, undefined);
    if (!counts) return; // PostgreSQL did not answer in time: the last figures stay
    for (const state of broadcastStateSchema.options) this.set({ state }, counts.get(state) ?? 0);
  },
});

export const relaysByState = new Gauge<'state'>({
  name: 'streamcaster_relays',
  help: 'Relays (one per destination of a running broadcast) that this replica runs, by state',
  labelNames: ['state'],
  collect() {
    const states = relayStateSources.all.flatMap((source) => source.relayStates());
    for (const [state, count] of countsByKey(relayStateSchema.options, states)) this.set({ state }, count);
  },
});

export const relaySentBytes = new Counter({
  name: 'streamcaster_relay_sent_bytes_total',
  help: 'Bytes the relays of this replica pushed to the platforms',
});

export const relayReconnects = new Counter({
  name: 'streamcaster_relay_reconnects_total',
  help: 'Relay connections to a platform that ended unasked (platform refused or unreachable, program gone) and are retried',
});

/** The platform sessions a replica runs now. */
export const platformSessionSources = new ScrapeSources<{ heldKeys(): string[] }>();

export const platformSessionsHeld = new Gauge({
  name: 'streamcaster_platform_sessions',
  help: 'Platform sessions (one per API-platform destination of a broadcast, until ended there) that this replica runs',
  collect() {
    this.set(platformSessionSources.all.reduce((sum, source) => sum + source.heldKeys().length, 0));
  },
});

export const platformFailures = new Counter<'platform' | 'outcome'>({
  name: 'streamcaster_platform_failures_total',
  help: 'Platform API steps that failed, by platform and by the kind of failure, which decides what is done (transient, rate-limited, auth, revoked, quota, refused)',
  labelNames: ['platform', 'outcome'],
});
