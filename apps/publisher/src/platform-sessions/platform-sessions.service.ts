import { Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import {
  BroadcastUpdated,
  isApiPlatform,
  PlatformViewers,
  PLATFORM_RULES,
  textRefusal,
  type ApiPlatform,
  type PlatformTextUpdate,
} from '@streamcaster/contracts';
import { BusClient, LeasedWorkers, LeaseStore, Outbox, SecretBox, type Lease, type LeasedWork, type RunningWork } from '@streamcaster/service-kit';
import type { BroadcastEntity } from '../broadcasts/broadcast.entity.js';
import { BroadcastsRepository } from '../broadcasts/broadcasts.repository.js';
import { PublisherConfig } from '../config/publisher.config.js';
import { DestinationsService } from '../destinations/destinations.service.js';
import { PlatformAccountsService } from '../platform-accounts/platform-accounts.service.js';
import type { PreparedIngest } from '../platforms/platform-adapter.js';
import { PlatformAdapters } from '../platforms/platform-adapters.js';
import { asPlatformError } from '../platforms/platform-error.js';
import { callWithFreshToken } from './platform-call.js';
import { PlatformSession, type SessionRow } from './platform-session.js';

interface SessionSpec {
  broadcastId: string;
  destinationId: string;
  platform: ApiPlatform;
}

/**
 * The platform side of every API-platform destination of every broadcast, one `PlatformSession` per
 * destination under its own lease (`platform:<broadcastId>:<destinationId>`), run by whichever
 * replica takes it. Wanted from the broadcast's start until its platform side is finished (ended
 * there, or given up with the reason), which may be after the broadcast itself ended.
 */
@Injectable()
export class PlatformSessions implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(PlatformSessions.name);
  private readonly workers: LeasedWorkers<SessionSpec>;
  private readonly sessions = new Map<string, PlatformSession>();
  /** Called when a destination's ingest is known or its state changed, so relays start at once. */
  private readonly listeners: Array<() => void> = [];

  constructor(
    private readonly broadcasts: BroadcastsRepository,
    private readonly destinations: DestinationsService,
    private readonly accounts: PlatformAccountsService,
    private readonly adapters: PlatformAdapters,
    private readonly secrets: SecretBox,
    private readonly outbox: Outbox,
    private readonly bus: BusClient,
    private readonly config: PublisherConfig,
    leases: LeaseStore,
  ) {
    this.workers = new LeasedWorkers<SessionSpec>({
      kind: 'platform',
      store: leases,
      desired: () => this.desired(),
      run: (work, lease) => this.run(work, lease),
    });
  }

  onApplicationBootstrap(): void {
    this.workers.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.workers.stop();
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** A broadcast started or ended: look at once, and wake its sessions. */
  nudge(broadcastId?: string): void {
    this.workers.nudge();
    for (const [key, session] of this.sessions) {
      if (!broadcastId || key.startsWith(`${broadcastId}:`)) session.wake();
    }
  }

  heldKeys(): string[] {
    return this.workers.heldKeys();
  }

  /** The ingest a platform handed out, opened for the destination's relay. */
  openIngest(sealed: string): PreparedIngest {
    return JSON.parse(this.secrets.open(sealed)) as PreparedIngest;
  }

  /**
   * A new title or description for every platform of a running broadcast, all at once, each with its
   * outcome: a platform that refuses keeps its old text and says why; the others are not held up.
   */
  async updateText(broadcast: BroadcastEntity, text: { title?: string; description?: string }): Promise<PlatformTextUpdate[]> {
    const rows = broadcast.destinations.filter((row) => isApiPlatform(row.platform));
    return Promise.all(
      rows.map(async (row): Promise<PlatformTextUpdate> => {
        const platform = row.platform as ApiPlatform;
        const label = PLATFORM_RULES[platform].label;
        const outcome = (result: PlatformTextUpdate['outcome'], message: string): PlatformTextUpdate => ({
          destinationId: row.destinationId,
          name: row.name,
          platform,
          outcome: result,
          message,
        });
        if (row.platformFinished || !row.accountId) return outcome('not-running', `the broadcast of ${row.name} is over on ${label}`);
        if (!row.platformIngestSealed) return outcome('not-running', `${label} has not created the broadcast of ${row.name} yet; it is created with the new text`);
        // Twitch has no description: only what the platform has is sent.
        const sent = { ...(text.title !== undefined ? { title: text.title } : {}), ...(text.description !== undefined && PLATFORM_RULES[platform].descriptionMaxLength !== null ? { description: text.description } : {}) };
        if (Object.keys(sent).length === 0) return outcome('updated', `${label} has no description; nothing to change there`);
        const refusal = textRefusal(platform, sent);
        if (refusal) return outcome('refused', `${refusal}; ${label} keeps its old title`);
        try {
          const subject = {
            accountId: row.accountId,
            environment: broadcast.environment,
            privacy: await this.destinations.privacyOf(row.destinationId),
            title: text.title ?? broadcast.title,
            description: text.description ?? broadcast.description,
            startedAt: broadcast.startedAt,
            signal: AbortSignal.timeout(this.config.platformRequestTimeoutMs * 3),
          };
          await callWithFreshToken(platform, this.accounts, subject, (context) => this.adapters.get(platform).broadcaster.updateText(context, row.platformRefs, sent));
          return outcome('updated', `${label} shows the new ${Object.keys(sent).join(' and ')}`);
        } catch (error) {
          const failure = asPlatformError(platform, label, error);
          this.logger.warn(`updating the text of ${row.name} on ${label}: ${failure.message}`);
          return outcome('refused', `${failure.message}; ${label} keeps its old text`);
        }
      }),
    );
  }

  private async desired(): Promise<Array<LeasedWork<SessionSpec>>> {
    const rows = await this.broadcasts.openPlatformDestinations();
    return rows.flatMap((row) =>
      isApiPlatform(row.platform)
        ? [{ key: `${row.broadcastId}:${row.destinationId}`, spec: { broadcastId: row.broadcastId, destinationId: row.destinationId, platform: row.platform } }]
        : [],
    );
  }

  private run(work: LeasedWork<SessionSpec>, lease: Lease): Promise<RunningWork> {
    const { broadcastId, destinationId, platform } = work.spec;
    const session = new PlatformSession(work.key, platform, {
      adapter: this.adapters.get(platform),
      load: () => this.broadcasts.findDestination(broadcastId, destinationId),
      save: (changes) => this.broadcasts.updateDestinationFenced(this.outbox.manager, broadcastId, destinationId, changes, lease),
      access: (accountId) => this.accounts.access(accountId),
      refreshAfterRefusal: (accountId, token) => this.accounts.refreshAfterRefusal(accountId, token),
      accountUsable: async (accountId) => (await this.accounts.get(accountId).catch(() => null))?.status === 'connected',
      privacyOf: (id) => this.destinations.privacyOf(id),
      sealIngest: (ingest) => this.secrets.seal(JSON.stringify(ingest)),
      changed: (row) => this.changed(row),
      viewers: (row, viewers) => this.publishViewers(row, viewers),
      timing: {
        confirmPollMs: this.config.platformConfirmPollMs,
        viewersPollMs: this.config.platformViewersPollMs,
        retryMaxMs: this.config.platformRetryMaxMs,
        requestTimeoutMs: this.config.platformRequestTimeoutMs,
      },
    });
    this.sessions.set(work.key, session);
    session.start();
    const end = async () => {
      await session.stop();
      this.sessions.delete(work.key);
    };
    return Promise.resolve({ stop: end, kill: end });
  }

  private changed(row: SessionRow): void {
    for (const listener of this.listeners) listener();
    void this.bus.emit(BroadcastUpdated, { broadcastId: row.broadcastId, environment: row.broadcast.environment }).catch(() => undefined);
  }

  private publishViewers(row: SessionRow, viewers: number | null): void {
    void this.bus
      .emit(PlatformViewers, {
        broadcastId: row.broadcastId,
        environment: row.broadcast.environment,
        destinationId: row.destinationId,
        platform: row.platform as ApiPlatform,
        viewers,
        at: new Date().toISOString(),
      })
      .catch(() => undefined);
  }
}
