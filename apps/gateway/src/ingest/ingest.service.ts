import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  IngestPlayerAttached,
  IngestPlayerDetached,
  IngestStarted,
  IngestStopped,
  ProgramStarted,
  ProgramStopped,
  type Environment,
  type IngestProtocol,
} from '@streamcaster/contracts';
import { BusClient, Outbox } from '@streamcaster/service-kit';
import type { IngestSessionEntity } from './ingest-session.entity.js';
import { GatewayConfig } from '../config/gateway.config.js';
import { DjsService } from '../djs/djs.service.js';
import { IngestSessionsRepository } from './ingest-sessions.repository.js';
import { IngestServerStatus } from './ingest-server-status.js';
import { IcecastStatus } from './icecast-status.js';
import { ingestStreamOf } from './ingest-stream.js';
import { StreamListeners } from './stream-listeners.js';

export interface PublishAttempt {
  app: string;
  /** What the publisher put after the application: the stream key for DJs, the broadcast id for the program. */
  name: string;
  clientId: string;
  remoteAddress: string;
}

export type PublishDecision = { allow: true; renameTo?: string } | { allow: false; reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Turns nginx-rtmp's publish hooks into decisions and `ingest.*` / `program.*` events. */
@Injectable()
export class IngestService {
  private readonly logger = new Logger(IngestService.name);

  constructor(
    private readonly djs: DjsService,
    private readonly sessions: IngestSessionsRepository,
    private readonly bus: BusClient,
    private readonly outbox: Outbox,
    private readonly listeners: StreamListeners,
    private readonly status: IngestServerStatus,
    private readonly icecast: IcecastStatus,
    private readonly config: GatewayConfig,
  ) {}

  async onPublish(attempt: PublishAttempt): Promise<PublishDecision> {
    if (attempt.app === 'program') return this.onProgramPublish(attempt);
    if (attempt.app !== 'live' && attempt.app !== 'test') return this.refuse(attempt, `unknown application "${attempt.app}"`);
    const environment: Environment = attempt.app;

    const identity = await this.djs.identify(attempt.name);
    if ('refusal' in identity) return this.refuse(attempt, identity.refusal);
    const { dj } = identity;

    const streamName = dj.id;
    // Asked before the event goes out, so that a fast transcoder cannot attach unnoticed.
    const listening = this.listeners.waitForListener(environment, streamName, this.config.ingestAttachTimeoutMs);
    const session = await this.startSession({
      dj,
      environment,
      protocol: 'rtmp',
      clientId: attempt.clientId,
      remoteAddress: attempt.remoteAddress,
    });
    if (!session) {
      listening.cancel();
      return this.refuse(attempt, `DJ "${dj.name}" is already publishing to ${environment}`);
    }
    // The stream is renamed to the DJ's id: the secret key never appears in internal URLs, and a DJ
    // who reconnects lands on the same name, where the transcoder waits for them.
    this.logger.log(`DJ "${dj.name}" started publishing to ${environment} from ${attempt.remoteAddress}`);
    // Hold the DJ until the transcoder plays the stream name: it then gets the DJ's first keyframe
    // instead of waiting up to a GOP for the next one, and the recording misses nothing. A slow or
    // missing transcoder never keeps a DJ off the air for longer than the timeout.
    if (!(await listening.result)) {
      this.logger.warn(`no transcoder listened on ${environment}/${streamName} within ${this.config.ingestAttachTimeoutMs} ms; accepting the DJ anyway`);
    }
    return { allow: true, renameTo: streamName };
  }

  /**
   * Opens the DJ's session and sends `ingest.started` in one transaction: a crash between them cannot
   * leave a DJ on air with no broadcast (and the ingest server accepts the DJ only after this commit).
   * Null when the DJ already sends to that environment (on either protocol) and that is not a leftover.
   */
  async startSession(start: {
    dj: { id: string; name: string };
    environment: Environment;
    protocol: IngestProtocol;
    clientId: string;
    remoteAddress: string;
  }): Promise<IngestSessionEntity | null> {
    const { dj, environment, protocol } = start;
    const newSession = { djId: dj.id, environment, protocol, clientId: start.clientId, remoteAddress: start.remoteAddress, startedAt: new Date() };
    const open = (manager: EntityManager) => this.openSession(manager, newSession, dj.name);
    const session = await this.outbox.transaction(open);
    if (session) return session;
    if (!(await this.closeIfStale(dj.id, environment))) return null;
    return this.outbox.transaction(open);
  }

  async onPublishDone(attempt: PublishAttempt): Promise<void> {
    if (attempt.app === 'program') {
      if (UUID.test(attempt.name)) await this.outbox.publish(ProgramStopped, { broadcastId: attempt.name });
      return;
    }
    const environment = attempt.app;
    if (environment !== 'live' && environment !== 'test') return;
    const session = await this.outbox.transaction(async (manager) => {
      const closed = await this.sessions.closeByConnection(manager, environment, attempt.clientId, attempt.remoteAddress);
      if (closed) await this.announceStop(manager, closed);
      return closed;
    });
    if (session) this.logger.log(`DJ ${session.djId} stopped publishing to ${environment}`);
  }

  /** Icecast's mount_remove: closes the session that came in on this mount, if still open. */
  async closeIcecastMount(environment: Environment, mount: string): Promise<IngestSessionEntity | null> {
    return this.outbox.transaction(async (manager) => {
      const closed = await this.sessions.closeByConnection(manager, environment, mount, null);
      if (closed) await this.announceStop(manager, closed);
      return closed;
    });
  }

  private async openSession(
    manager: EntityManager,
    newSession: Omit<IngestSessionEntity, 'id' | 'endedAt'>,
    djName: string,
  ): Promise<IngestSessionEntity | null> {
    const session = await this.sessions.open(manager, newSession);
    if (!session) return null;
    await this.outbox.add(manager, IngestStarted, {
      ingestId: session.id,
      environment: session.environment,
      djId: session.djId,
      djName,
      stream: ingestStreamOf(session),
      startedAt: session.startedAt.toISOString(),
    });
    return session;
  }

  /** Closes a session that nginx-rtmp no longer has (it crashed, or lost the hook); null if already closed. */
  async closeStale(sessionId: string): Promise<IngestSessionEntity | null> {
    return this.outbox.transaction(async (manager) => {
      const closed = await this.sessions.closeById(manager, sessionId);
      if (closed) await this.announceStop(manager, closed);
      return closed;
    });
  }

  private async announceStop(manager: EntityManager, session: IngestSessionEntity): Promise<void> {
    await this.outbox.add(manager, IngestStopped, {
      ingestId: session.id,
      environment: session.environment,
      djId: session.djId,
      stoppedAt: (session.endedAt ?? new Date()).toISOString(),
    });
  }

  /**
   * The database says the DJ publishes, but the ingest server may have crashed without telling
   * (nginx-rtmp's on_publish_done, Icecast's mount_remove). When the server the session came through
   * says nobody sends there, the old session is closed (and its broadcast told, as if the DJ had
   * dropped). When it cannot be asked, the old session stands.
   */
  private async closeIfStale(djId: string, environment: Environment): Promise<boolean> {
    const open = await this.sessions.findOpen(djId, environment);
    if (!open) return true;
    // A young session may be one whose publish is still held for the transcoder: not in /stat yet.
    if (Date.now() - open.startedAt.getTime() < 15_000) return false;
    const sending = open.protocol === 'icecast' ? await this.icecast.isOnAir(open.clientId) : await this.status.isPublishing(environment, djId);
    if (sending !== false) return false;
    await this.closeStale(open.id);
    this.logger.warn(`closed a stale ingest session of DJ ${djId} on ${environment} (${open.protocol === 'icecast' ? 'Icecast has no such mount' : 'nginx-rtmp has no such publisher'})`);
    return true;
  }

  /** on_play / on_play_done of a DJ stream name: an internal player (the transcoder) comes or goes. */
  async onPlay(app: string, streamName: string, playing: boolean): Promise<void> {
    if ((app !== 'live' && app !== 'test') || !UUID.test(streamName)) return;
    await this.bus.emit(playing ? IngestPlayerAttached : IngestPlayerDetached, { app, streamName });
  }

  private async onProgramPublish(attempt: PublishAttempt): Promise<PublishDecision> {
    // nginx-rtmp already refuses program publishers from outside the internal network.
    if (!UUID.test(attempt.name)) return this.refuse(attempt, 'program stream name is not a broadcast id');
    await this.outbox.publish(ProgramStarted, { broadcastId: attempt.name });
    return { allow: true };
  }

  private refuse(attempt: PublishAttempt, reason: string): PublishDecision {
    this.logger.warn(`refused publish to ${attempt.app} from ${attempt.remoteAddress}: ${reason}`);
    return { allow: false, reason };
  }
}
