import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { Environment } from '@streamcaster/contracts';
import { DestinationEntity } from './destination.entity.js';

@Injectable()
export class DestinationsRepository {
  constructor(@InjectRepository(DestinationEntity) private readonly destinations: Repository<DestinationEntity>) {}

  list(environment?: Environment): Promise<DestinationEntity[]> {
    return this.destinations.find({ where: environment ? { environment } : {}, order: { createdAt: 'ASC' } });
  }

  listEnabled(environment: Environment): Promise<DestinationEntity[]> {
    return this.destinations.find({ where: { environment, enabled: true }, order: { createdAt: 'ASC' } });
  }

  findById(id: string): Promise<DestinationEntity | null> {
    return this.destinations.findOneBy({ id });
  }

  save(destination: Partial<DestinationEntity>): Promise<DestinationEntity> {
    return this.destinations.save(this.destinations.create(destination));
  }

  async delete(id: string): Promise<boolean> {
    return ((await this.destinations.delete({ id })).affected ?? 0) > 0;
  }
}
