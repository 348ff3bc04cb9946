import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Like, QueryFailedError, type Repository } from 'typeorm';
import { slugify, uniqueSlug } from './dj-slug.js';
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

  findBySlug(slug: string): Promise<DjEntity | null> {
    return this.djs.findOneBy({ slug });
  }

  /**
   * A new DJ with the first free slug of its name. Two DJs of the same name created at once both
   * see the slug free: the unique constraint refuses the second, which takes the next one.
   */
  async create(name: string, streamKeyHash: string): Promise<DjEntity> {
    const base = slugify(name);
    for (let attempt = 0; ; attempt += 1) {
      const similar = await this.djs.find({ select: { slug: true }, where: { slug: Like(`${base}%`) } });
      const slug = uniqueSlug(base, new Set(similar.map((dj) => dj.slug)));
      try {
        return await this.djs.save(this.djs.create({ name, slug, streamKeyHash, keyRotatedAt: new Date() }));
      } catch (error) {
        if (attempt >= 3 || !(error instanceof QueryFailedError) || !String(error.message).includes('slug')) throw error;
      }
    }
  }

  async replaceKeyHash(id: string, streamKeyHash: string): Promise<boolean> {
    const result = await this.djs.update({ id }, { streamKeyHash, keyRotatedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }
}
