import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { DjEntity } from './dj.entity.js';

@Injectable()
export class DjsRepository {
  constructor(@InjectRepository(DjEntity) private readonly djs: Repository<DjEntity>) {}

  list(): Promise<DjEntity[]> {
    return this.djs.find({ order: { createdAt: 'ASC' } });
  }

  findById(id: string): Promise<DjEntity | null> {
    return this.djs.findOneBy({ id });
  }

  findByKeyHash(streamKeyHash: string): Promise<DjEntity | null> {
    return this.djs.findOneBy({ streamKeyHash });
  }

  create(name: string, streamKeyHash: string): Promise<DjEntity> {
    return this.djs.save(this.djs.create({ name, streamKeyHash, keyRotatedAt: new Date() }));
  }

  async replaceKeyHash(id: string, streamKeyHash: string): Promise<boolean> {
    const result = await this.djs.update({ id }, { streamKeyHash, keyRotatedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }
}
