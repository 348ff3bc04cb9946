import { Injectable, Logger } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { ICECAST_READER_USER } from '@streamcaster/contracts';
import { GatewayConfig } from '../config/gateway.config.js';
import { DjsService } from '../djs/djs.service.js';
import { parseMount } from './ingest-stream.js';
import { IngestSessionsRepository } from './ingest-sessions.repository.js';
import { IngestService } from './ingest.service.js';

export type IcecastDecision = { allow: true } | { allow: false; reason: string };

/** How long a source's address is remembered between its stream_auth and its mount_add. */
const ADDRESS_MEMORY_MS = 60_000;

/**
 * Icecast's URL authentication (docs/icecast.md), turned into ingest sessions: a source (Traktor) may
 * use `/live/<slug>` or `/test/<slug>` with the DJ's stream key as its password; its session opens when
 * Icecast puts the mount on air (mount_add) and closes when the mount goes (mount_remove). Every answer
 * comes from the database at once: Icecast asks one call at a time per environment and waits 15 s for
 * a silent hook, so a slow answer would hold every other DJ's login.
 */
@Injectable()
export class IcecastIngestService {
  private readonly logger = new Logger(IcecastIngestService.name);
  private readonly readerPassword: Buffer | null;
  /** mount → the address its source logged in from (mount_add does not say). */
  private readonly addresses = new Map<string, { address: string; at: number }>();

  constructor(
    private readonly djs: DjsService,
    private readonly ingest: IngestService,
    private readonly sessions: IngestSessionsRepository,
    config: GatewayConfig,
  ) {
    this.readerPassword = config.icecastReaderPassword ? Buffer.from(config.icecastReaderPassword) : null;
  }

  /**
   * stream_auth: may this source send to this mount? Also asked for a source's `/admin/metadata`
   * title update (`metadataUpdate`), which is answered like the source itself.
   */
  async authorizeSource(request: { mount: string; password: string; address: string; metadataUpdate: boolean }): Promise<IcecastDecision> {
    const parsed = parseMount(request.mount);
    if (!parsed) return this.refuse(request, `unknown mount "${request.mount}": DJ mounts are /live/<dj> and /test/<dj>`);
    const identity = await this.djs.identifyBySlug(parsed.slug, request.password);
    if ('refusal' in identity) return this.refuse(request, identity.refusal);
    if (request.metadataUpdate) return { allow: true };
    const open = await this.sessions.findOpen(identity.dj.id, parsed.environment);
    // Icecast itself refuses a second source on a mount that is on air ("Mountpoint in use"); the same
    // DJ already on air through RTMP is refused here.
    if (open && !(open.protocol === 'icecast' && open.clientId === request.mount)) {
      return this.refuse(request, `DJ "${identity.dj.name}" is already publishing to ${parsed.environment} (${open.protocol})`);
    }
    this.rememberAddress(request.mount, request.address);
    return { allow: true };
  }

  /** mount_add: the source is on air; the DJ's session opens and `ingest.started` goes out. */
  async mountAdded(mount: string): Promise<void> {
    const parsed = parseMount(mount);
    if (!parsed) return;
    const dj = await this.djs.findBySlug(parsed.slug);
    if (!dj) {
      this.logger.warn(`Icecast put ${mount} on air, but no DJ has that mount`);
      return;
    }
    const session = await this.ingest.startSession({
      dj,
      environment: parsed.environment,
      protocol: 'icecast',
      clientId: mount,
      remoteAddress: this.addresses.get(mount)?.address ?? '',
    });
    if (!session) {
      const open = await this.sessions.findOpen(dj.id, parsed.environment);
      if (open?.protocol === 'icecast' && open.clientId === mount) return; // told twice
      this.logger.warn(`DJ "${dj.name}" went on air on ${mount} while already publishing to ${parsed.environment} through ${open?.protocol ?? 'another connection'}: the Icecast source is not used`);
      return;
    }
    this.logger.log(`DJ "${dj.name}" started sending to Icecast ${mount}`);
  }

  /** mount_remove: the source is gone; the session closes and `ingest.stopped` goes out. */
  async mountRemoved(mount: string): Promise<void> {
    const parsed = parseMount(mount);
    if (!parsed) return;
    this.addresses.delete(mount);
    const closed = await this.ingest.closeIcecastMount(parsed.environment, mount);
    if (closed) this.logger.log(`DJ ${closed.djId} stopped sending to Icecast ${mount}`);
  }

  /** listener_add: only StreamCaster's reader, never the public. */
  authorizeListener(user: string, password: string): IcecastDecision {
    if (!this.readerPassword) return { allow: false, reason: 'no listener is let in (ICECAST_READER_PASSWORD is not set)' };
    const given = Buffer.from(password);
    const matches = user === ICECAST_READER_USER && given.length === this.readerPassword.length && timingSafeEqual(given, this.readerPassword);
    return matches ? { allow: true } : { allow: false, reason: 'listeners are not admitted: this server only takes DJ sources' };
  }

  private rememberAddress(mount: string, address: string): void {
    const now = Date.now();
    for (const [key, entry] of this.addresses) if (now - entry.at > ADDRESS_MEMORY_MS) this.addresses.delete(key);
    this.addresses.set(mount, { address, at: now });
  }

  private refuse(request: { mount: string; address: string; metadataUpdate: boolean }, reason: string): IcecastDecision {
    this.logger.warn(`refused Icecast ${request.metadataUpdate ? 'metadata update' : 'source'} on ${request.mount} from ${request.address}: ${reason}`);
    return { allow: false, reason };
  }
}
