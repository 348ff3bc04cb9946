import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { BroadcastsRepository } from '../broadcasts/broadcasts.repository.js';
import { RelayWorkers } from '../relays/relay-workers.service.js';
import { PlatformSessions } from '../platform-sessions/platform-sessions.service.js';
import { broadcastCountSources, platformSessionSources, relayStateSources } from './publisher.metrics.js';

/** Lets the publisher's gauges read this application's database and relays while it runs. */
@Injectable()
export class PublisherMetrics implements OnModuleInit, OnApplicationShutdown {
  private readonly leave: Array<() => void> = [];

  constructor(
    private readonly broadcasts: BroadcastsRepository,
    private readonly relays: RelayWorkers,
    private readonly platformSessions: PlatformSessions,
  ) {}

  onModuleInit(): void {
    this.leave.push(broadcastCountSources.add(this.broadcasts), relayStateSources.add(this.relays), platformSessionSources.add(this.platformSessions));
  }

  onApplicationShutdown(): void {
    for (const leave of this.leave.splice(0)) leave();
  }
}
