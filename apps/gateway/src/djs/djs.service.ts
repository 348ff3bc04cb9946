import { Injectable, NotFoundException } from '@nestjs/common';
import { DjEntity } from './dj.entity.js';
import { DjsRepository } from './djs.repository.js';
import { generateStreamKey, hashStreamKey, isWellFormedStreamKey } from './stream-key.js';

export interface DjView {
  id: string;
  name: string;
  keyRotatedAt: string;
  createdAt: string;
}

function toView(dj: DjEntity): DjView {
  return { id: dj.id, name: dj.name, keyRotatedAt: dj.keyRotatedAt.toISOString(), createdAt: dj.createdAt.toISOString() };
}

@Injectable()
export class DjsService {
  constructor(private readonly djs: DjsRepository) {}

  async create(name: string): Promise<DjView & { streamKey: string }> {
    const streamKey = generateStreamKey();
    const dj = await this.djs.create(name, hashStreamKey(streamKey));
    return { ...toView(dj), streamKey };
  }

  async list(): Promise<DjView[]> {
    return (await this.djs.list()).map(toView);
  }

  /** The old key stops working at once: the next on_publish with it is refused. */
  async rotateKey(id: string): Promise<{ streamKey: string }> {
    const streamKey = generateStreamKey();
    if (!(await this.djs.replaceKeyHash(id, hashStreamKey(streamKey)))) throw new NotFoundException(`no DJ with id ${id}`);
    return { streamKey };
  }

  /** The DJ a stream key belongs to, or why there is none. */
  async identify(streamKey: string): Promise<{ dj: DjView } | { refusal: string }> {
    if (!isWellFormedStreamKey(streamKey)) return { refusal: 'malformed stream key' };
    const dj = await this.djs.findByKeyHash(hashStreamKey(streamKey));
    return dj ? { dj: toView(dj) } : { refusal: 'unknown or rotated stream key' };
  }
}
