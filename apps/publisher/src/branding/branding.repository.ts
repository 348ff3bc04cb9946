import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { BrandingEntity } from './branding.entity.js';

const THE_ROW = 1;

@Injectable()
export class BrandingRepository {
  constructor(@InjectRepository(BrandingEntity) private readonly branding: Repository<BrandingEntity>) {}

  /** The migration inserts the row, so it always exists. */
  async get(): Promise<BrandingEntity> {
    return this.branding.findOneByOrFail({ id: THE_ROW });
  }

  async update(changes: Partial<Omit<BrandingEntity, 'id' | 'updatedAt'>>): Promise<BrandingEntity> {
    await this.branding.update({ id: THE_ROW }, changes);
    return this.get();
  }
}
