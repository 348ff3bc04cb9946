import { Logger } from '@nestjs/common';
import { broadcastRuns, PLATFORM_RULES, textRefusal, type ApiPlatform, type PlatformState, type RelayState } from '@streamcaster/contracts';
import { backoffDelay } from '@streamcaster/supervisor';
import type { BroadcastDestinationEntity } from '../broadcasts/broadcast-destination.entity.js';
import type { BroadcastEntity } from '../broadcasts/broadcast.entity.js';
import type { PlatformAdapter, PlatformCallContext, PlatformObservation, PlatformRefs, PreparedIngest } from '../platforms/platform-adapter.js';
import { platformFailures } from '../metrics/publisher.metrics.js';
import { asPlatformError, PlatformError } from '../platforms/platform-error.js';
import { callWithFreshToken, type TokenSource } from './platform-call.js';

export type SessionRow = BroadcastDestinationEntity & { broadcast: BroadcastEntity };
type PlatformChanges = Partial<
  Pick<BroadcastDestinationEntity, 'platformState' | 'platformReason' | 'platformRefs' | 'platformIngestSealed' | 'watchUrl' | 'viewers' | 'platformFinished'>
>;

/** What a session needs from the publisher; the Nest service wires it, tests may give their own. */
export interface PlatformSessionDeps extends TokenSource {
  adapter: PlatformAdapter;
  load(): Promise<SessionRow | null>;
  /** Saves only while this replica holds the session's lease; false means it lost it. */
  save(changes: PlatformChanges): Promise<boolean>;
  accountUsable(accountId: string): Promise<boolean>;
  privacyOf(destinationId: string): Promise<PlatformCallContext['privacy']>;
  sealIngest(ingest: PreparedIngest): string;
  /** The platform's state changed: whoever shows the broadcast asks again; relays may start. */
  changed(row: SessionRow): void;
  viewers(row: SessionRow, viewers: number | null): void;
  timing: { confirmPollMs: number; viewersPollMs: number; retryMaxMs: number; requestTimeoutMs: number };
}

/** How many times ending at the platform is tried (over about ten minutes) before it is given up, with the reason. */
const END_ATTEMPTS = 12;
/** How often a session parked on an account that needs reconnecting looks whether it was reconnected. */
const ACCOUNT_LOOK_MS = 5_000;
/** How long a session waits after the daily quota ran out before it asks the ledger again. */
const QUOTA_WAIT_MS = 5 * 60_000;

/**
 * One destination's broadcast at one platform, from creation to its end: create it there (resuming
 * from the saved ids after a crash), hand the relay its ingest, confirm that the platform receives,
 * put it on air, watch its state and viewers, and end it there when the broadcast ends. It runs under
 * a lease (`platform:<broadcastId>:<destinationId>`), so exactly one replica drives it; everything it
 * learns is saved at once, so a successor picks up where it stopped. A platform that fails stalls
 * only its own session.
 */
export class PlatformSession {
  private readonly logger: Logger;
  private readonly label: string;
  private stopped = false;
  private readonly abort = new AbortController();
  private wakeUp: (() => void) | null = null;
  private failures = 0;
  private endAttempts = 0;
  /** Why the session waits without calling the platform: an account to reconnect, or a refusal. */
  private parked: { kind: 'account' | 'refused' | 'quota'; until: number; text: string } | null = null;
  private lastSeen: { broadcastState: string; relayState: RelayState } | null = null;
  private confirmedLogged = false;
  private done: Promise<void> = Promise.resolve();

  constructor(
    readonly key: string,
    private readonly platform: ApiPlatform,
    private readonly deps: PlatformSessionDeps,
  ) {
    this.label = PLATFORM_RULES[platform].label;
    this.logger = new Logger(`PlatformSession:${platform}`);
  }

  start(): void {
    this.done = this.loop().catch((error: Error) => this.logger.error(`session ${this.key} stopped on an unexpected error: ${error.stack ?? error.message}`));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.wakeUp?.();
    await this.done;
  }

  /** Something changed (the broadcast ends, the relay went live): look now instead of at the next tick. */
  wake(): void {
    this.wakeUp?.();
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const row = await this.deps.load();
      if (!row || row.platformFinished) return;
      this.lastSeen = { broadcastState: row.broadcast.state, relayState: row.state };
      let waitMs: number;
      try {
        waitMs = await this.step(row);
        this.failures = 0;
      } catch (error) {
        if (this.stopped) return;
        waitMs = await this.onFailure(row, asPlatformError(this.platform, this.label, error));
      }
      await this.sleep(waitMs);
    }
  }

  /** One step; answers how long to wait before the next. */
  private async step(row: SessionRow): Promise<number> {
    if (!broadcastRuns(row.broadcast.state)) return this.finish(row);
    if (this.parked) {
      if (this.parked.kind === 'account' && (await this.deps.accountUsable(row.accountId ?? ''))) this.parked = null;
      else if (this.parked.kind !== 'account' && Date.now() >= this.parked.until) this.parked = null;
      // A refusal may be about the text (too long, a word the platform bans): a new text is a new try.
      else if (this.parked.kind === 'refused' && textOf(row) !== this.parked.text) this.parked = null;
      else return this.parked.kind === 'account' ? ACCOUNT_LOOK_MS : this.deps.timing.confirmPollMs;
    }
    if (!row.platformIngestSealed) return this.prepare(row);
    return this.watch(row);
  }

  private async prepare(row: SessionRow): Promise<number> {
    // A title the platform cannot take is refused here, in StreamCaster's words, before any call.
    const refusal = textRefusal(this.platform, { title: row.broadcast.title, description: row.broadcast.description });
    if (refusal) throw new PlatformError(this.platform, 'refused', `${refusal}; shorten it on the broadcast (PATCH /api/broadcasts/:id) or in the branding template`);
    if (row.platformState !== 'creating') await this.update(row, { platformState: 'creating', platformReason: null });
    let refs = { ...row.platformRefs };
    const saveRefs = async (next: PlatformRefs): Promise<void> => {
      refs = { ...next };
      if (!(await this.deps.save({ platformRefs: refs }))) throw new LeaseLostError();
    };
    const ingest = await this.call(row, (context) => this.deps.adapter.broadcaster.prepare(context, refs, saveRefs));
    await this.update(row, {
      platformRefs: refs,
      platformIngestSealed: this.deps.sealIngest(ingest),
      watchUrl: ingest.watchUrl,
      platformState: 'ready',
      platformReason: null,
    });
    this.logger.log(`${this.label} broadcast of ${row.name} created (broadcast ${row.broadcastId}); its relay may push`);
    return 0;
  }

  private async watch(row: SessionRow): Promise<number> {
    const relayLive = row.state === 'live';
    // Nothing is sent yet, so there is nothing to confirm: no call (a YouTube question costs units).
    // The session is woken the moment the relay goes live.
    if (!relayLive && row.platformState === 'ready') return this.deps.timing.viewersPollMs;
    const broadcaster = this.deps.adapter.broadcaster;
    let observation = await this.call(row, (context) => broadcaster.observe(context, row.platformRefs, relayLive));
    if (observation.onAir === 'complete') {
      await this.update(row, { platformState: 'complete', platformReason: `${this.label} ended this broadcast on its side`, platformFinished: true });
      return 0;
    }
    if (observation.receiving && observation.onAir === null && relayLive) {
      let refs = { ...row.platformRefs };
      await this.call(row, (context) =>
        broadcaster.goOnAir(context, refs, async (next) => {
          refs = { ...next };
          if (!(await this.deps.save({ platformRefs: refs }))) throw new LeaseLostError();
        }),
      );
      row.platformRefs = refs;
      observation = await this.call(row, (context) => broadcaster.observe(context, refs, relayLive));
    }
    const state = stateOf(observation, relayLive);
    const reason = observation.note ?? (state === 'waiting-for-data' ? `sending; ${this.label} does not confirm that it receives yet` : null);
    const confirmed = state === 'live' || state === 'testing';
    await this.update(row, { platformState: state, platformReason: reason, viewers: observation.viewers });
    if (confirmed) {
      this.deps.viewers(row, observation.viewers);
      if (!this.confirmedLogged) this.logger.log(`${this.label} confirms ${row.name} of broadcast ${row.broadcastId}: ${state}`);
      this.confirmedLogged = true;
    } else {
      this.confirmedLogged = false;
    }
    // Quick while we send and the platform has not confirmed; slow once it has, or while we do not send.
    return confirmed || !relayLive ? this.deps.timing.viewersPollMs : this.deps.timing.confirmPollMs;
  }

  /** The broadcast is over here: end it at the platform (if anything was created there), then finish. */
  private async finish(row: SessionRow): Promise<number> {
    const created = Object.keys(row.platformRefs).length > 0 || row.platformIngestSealed !== null;
    if (!created || row.platformState === 'complete') {
      await this.update(row, { platformState: row.platformState === 'error' ? 'error' : 'complete', platformFinished: true, viewers: null });
      return 0;
    }
    this.endAttempts += 1;
    try {
      await this.call(row, (context) => this.deps.adapter.broadcaster.end(context, row.platformRefs));
    } catch (error) {
      const failure = asPlatformError(this.platform, this.label, error);
      if (failure.retryable && this.endAttempts < END_ATTEMPTS) throw failure;
      await this.update(row, {
        platformState: 'error',
        platformReason: `could not end the broadcast on ${this.label}: ${failure.message}; end it there by hand`,
        platformFinished: true,
        viewers: null,
      });
      this.logger.error(`giving up ending ${row.name} of broadcast ${row.broadcastId} on ${this.label}: ${failure.message}`);
      return 0;
    }
    await this.update(row, { platformState: 'complete', platformReason: null, platformFinished: true, viewers: null });
    this.logger.log(`${this.label} broadcast of ${row.name} (broadcast ${row.broadcastId}) ended there`);
    return 0;
  }

  /** Calls the platform about this destination, with a fresh token (see callWithFreshToken). */
  private async call<T>(row: SessionRow, work: (context: PlatformCallContext) => Promise<T>): Promise<T> {
    const accountId = row.accountId;
    if (!accountId) throw new PlatformError(this.platform, 'refused', 'this destination has no platform account; choose one');
    const { environment, title, description, startedAt } = row.broadcast;
    const privacy = await this.deps.privacyOf(row.destinationId);
    return callWithFreshToken(this.platform, this.deps, { accountId, environment, privacy, title, description, startedAt, signal: this.abort.signal }, work);
  }

  /** Shows the failure on the destination and answers how long to wait before trying again. */
  private async onFailure(row: SessionRow, failure: PlatformError): Promise<number> {
    if (failure instanceof LeaseLostError) {
      this.stopped = true;
      return 0;
    }
    this.failures += 1;
    platformFailures.inc({ platform: this.platform, outcome: failure.kind });
    const creating = !row.platformIngestSealed && broadcastRuns(row.broadcast.state);
    switch (failure.kind) {
      case 'transient':
      case 'auth': {
        const waitMs = backoffDelay({ initialMs: 1_000, maxMs: this.deps.timing.retryMaxMs, resetAfterMs: 0 }, this.failures - 1);
        const note = `${failure.message} (trying again in ${Math.ceil(waitMs / 1000)} s)`;
        this.logger.warn(`${row.name} of broadcast ${row.broadcastId}: ${note}`);
        // While creating, the destination keeps saying so; once created, its last confirmed state stays.
        await this.update(row, { platformState: creating ? 'creating' : row.platformState, platformReason: note });
        return waitMs;
      }
      case 'rate-limited': {
        const waitMs = Math.min(failure.details.retryAfterMs ?? 60_000, 15 * 60_000);
        await this.update(row, { platformReason: failure.message });
        return waitMs;
      }
      case 'quota':
      case 'revoked':
      case 'refused': {
        this.parked = {
          kind: failure.kind === 'revoked' ? 'account' : failure.kind === 'quota' ? 'quota' : 'refused',
          // A refusal does not pass by itself: no further call until the broadcast ends.
          until: failure.kind === 'quota' ? Date.now() + QUOTA_WAIT_MS : Number.POSITIVE_INFINITY,
          text: textOf(row),
        };
        this.logger.error(`${row.name} of broadcast ${row.broadcastId}: ${failure.message}`);
        await this.update(row, { platformState: 'error', platformReason: failure.message });
        return this.deps.timing.confirmPollMs;
      }
    }
  }

  /** Saves what changed and tells whoever shows it; a session that lost its lease stops here. */
  private async update(row: SessionRow, changes: PlatformChanges): Promise<void> {
    const entries = Object.entries(changes) as Array<[keyof PlatformChanges, unknown]>;
    const differs = entries.some(([name, value]) => JSON.stringify(row[name]) !== JSON.stringify(value));
    if (!differs) return;
    if (!(await this.deps.save(changes))) {
      this.stopped = true;
      throw new LeaseLostError();
    }
    const visible = changes.platformState !== undefined && changes.platformState !== row.platformState;
    const reasonChanged = changes.platformReason !== undefined && changes.platformReason !== row.platformReason;
    Object.assign(row, changes);
    if (visible || reasonChanged || changes.platformIngestSealed !== undefined || changes.platformFinished) this.deps.changed(row);
  }

  /**
   * Waits, looking at the broadcast and the relay every poll interval (a cheap database read), so
   * that an ending broadcast or a relay that just went live is acted upon within a second even when
   * the platform itself is asked only every 30 s.
   */
  private async sleep(totalMs: number): Promise<void> {
    const until = Date.now() + totalMs;
    while (!this.stopped && Date.now() < until) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(until - Date.now(), this.deps.timing.confirmPollMs));
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = null;
      if (this.stopped) return;
      const row = await this.deps.load();
      if (!row) return;
      const seen = { broadcastState: row.broadcast.state, relayState: row.state };
      if (seen.broadcastState !== this.lastSeen?.broadcastState || seen.relayState !== this.lastSeen.relayState) return;
    }
  }
}

function textOf(row: SessionRow): string {
  return JSON.stringify([row.broadcast.title, row.broadcast.description]);
}

/** The platform's answer as one state of the destination. */
export function stateOf(observation: PlatformObservation, relayLive: boolean): PlatformState {
  if (observation.onAir === 'live') return 'live';
  if (observation.onAir === 'testing') return 'testing';
  if (observation.onAir === 'complete') return 'complete';
  return relayLive ? 'waiting-for-data' : 'ready';
}

/** This replica's lease on the session went to another: stop without a word more. */
class LeaseLostError extends PlatformError {
  constructor() {
    super('youtube', 'transient', 'the lease of this platform session went to another replica');
  }
}
