import { Injectable, NotFoundException } from '@nestjs/common';
import { GatewayConfig } from '../config/gateway.config.js';
import { DjEntity } from './dj.entity.js';
import { DjsRepository } from './djs.repository.js';
import { generateStreamKey, hashStreamKey, isWellFormedStreamKey } from './stream-key.js';

export interface DjView {
  id: string;
  name: string;
  keyRotatedAt: string;
  createdAt: string;
  slug: string;
  /** The server URLs for OBS ("Server"); the stream key goes into OBS's "Stream Key" field. */
  ingest: { live: string; test: string };
  /** Traktor's settings; its password is the stream key. */
  icecast: { host: string; port: number; user: 'source'; mounts: { live: string; test: string } };
}

@Injectable()
export class DjsService {
  constructor(
    private readonly djs: DjsRepository,
    private readonly config: GatewayConfig,
  ) {}

  async create(name: string): Promise<DjView & { streamKey: string }> {
    const streamKey = generateStreamKey();
    const dj = await this.djs.create(name, hashStreamKey(streamKey));
    return { ...this.toView(dj), streamKey };
  }

  /** Every DJ, or only `onlyDjId` (what a user with role dj sees). */
  async list(onlyDjId?: string): Promise<DjView[]> {
    if (onlyDjId) {
      const dj = await this.djs.findById(onlyDjId);
      return dj ? [this.toView(dj)] : [];
    }
    return (await this.djs.list()).map((dj) => this.toView(dj));
  }

  /** `scope` set: only that DJ is visible; any other id is "not found", so it reveals nothing. */
  async get(id: string, scope?: string): Promise<DjView> {
    const dj = scope === undefined || scope === id ? await this.djs.findById(id) : null;
    if (!dj) throw new NotFoundException(`no DJ with id ${id}`);
    return this.toView(dj);
  }

  async exists(id: string): Promise<boolean> {
    return (await this.djs.findById(id)) !== null;
  }

  /** The old key stops working at once: the next on_publish with it is refused. */
  async rotateKey(id: string, scope?: string): Promise<{ streamKey: string }> {
    if (scope !== undefined && scope !== id) throw new NotFoundException(`no DJ with id ${id}`);
    const streamKey = generateStreamKey();
    if (!(await this.djs.replaceKeyHash(id, hashStreamKey(streamKey)))) throw new NotFoundException(`no DJ with id ${id}`);
    return { streamKey };
  }

  /** The DJ a stream key belongs to, or why there is none. */
  async identify(streamKey: string): Promise<{ dj: DjView } | { refusal: string }> {
    if (!isWellFormedStreamKey(streamKey)) return { refusal: 'malformed stream key' };
    const dj = await this.djs.findByKeyHash(hashStreamKey(streamKey));
    return dj ? { dj: this.toView(dj) } : { refusal: 'unknown or rotated stream key' };
  }

  async findBySlug(slug: string): Promise<DjView | null> {
    const dj = await this.djs.findBySlug(slug);
    return dj ? this.toView(dj) : null;
  }

  /** The DJ whose Icecast mount this is, when the key is theirs; why not otherwise. */
  async identifyBySlug(slug: string, streamKey: string): Promise<{ dj: DjView } | { refusal: string }> {
    const dj = await this.djs.findBySlug(slug);
    if (!dj) return { refusal: `no DJ has the mount of "${slug}"` };
    if (!isWellFormedStreamKey(streamKey)) return { refusal: 'malformed stream key' };
    // The same comparison as RTMP's: hashes, so the time taken says nothing about the key.
    if (hashStreamKey(streamKey) !== dj.streamKeyHash) return { refusal: `wrong stream key for the mount of "${slug}"` };
    return { dj: this.toView(dj) };
  }

  private toView(dj: DjEntity): DjView {
    const icecast = new URL(this.config.publicIcecastUrl);
    return {
      id: dj.id,
      name: dj.name,
      slug: dj.slug,
      keyRotatedAt: dj.keyRotatedAt.toISOString(),
      createdAt: dj.createdAt.toISOString(),
      ingest: { live: `${this.config.publicRtmpUrl}/live`, test: `${this.config.publicRtmpUrl}/test` },
      icecast: {
        host: icecast.hostname,
        port: Number(icecast.port || (icecast.protocol === 'https:' ? 443 : 80)),
        user: 'source',
        mounts: { live: `/live/${dj.slug}`, test: `/test/${dj.slug}` },
      },
    };
  }
}
