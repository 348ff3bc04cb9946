import { Injectable, Logger } from '@nestjs/common';
import {
  broadcastRuns,
  formatLiveTopic,
  GetBroadcast,
  ListBroadcasts,
  type BroadcastStats,
  type BroadcastView,
  type Environment,
  type EventPayload,
  type LiveTopic,
  type StatsSnapshot,
} from '@streamcaster/contracts';
import { BusClient, BusRequestError } from '@streamcaster/service-kit';
import type { LiveTopicSource, TopicState, TopicSubscriber } from './live-session.js';
import { SharedRefresh } from './shared-refresh.js';

/** The most running broadcasts one environment's list holds (the publisher's page size). */
const RUNNING_LISTED = 500;

/**
 * The state of every topic somebody subscribed to on this gateway, and its fan-out. Broadcasts come
 * from the publisher, asked once per change (whatever the number of clients) when the bus says one
 * changed; stats and the host come from the latest `stats.snapshot`, kept in memory. A topic nobody
 * subscribes to any more is forgotten.
 */
@Injectable()
export class LiveTopicsService implements LiveTopicSource {
  private readonly logger = new Logger(LiveTopicsService.name);
  private readonly subscribers = new Map<string, Set<TopicSubscriber>>();
  /** broadcasts:<environment> and broadcast:<id>, as last fetched. */
  private readonly fetched = new Map<string, TopicState>();
  private readonly refreshes = new SharedRefresh();
  private snapshot: { host: TopicState; broadcasts: Map<string, BroadcastStats> } | null = null;

  constructor(private readonly bus: BusClient) {}

  async subscribe(topic: LiveTopic, subscriber: TopicSubscriber): Promise<TopicState | null> {
    const key = formatLiveTopic(topic);
    let set = this.subscribers.get(key);
    if (!set) this.subscribers.set(key, (set = new Set()));
    set.add(subscriber);
    switch (topic.kind) {
      case 'host':
        return this.snapshot?.host ?? null;
      case 'stats': {
        const stats = this.snapshot?.broadcasts.get(topic.broadcastId);
        return stats ? { topic: key, at: stats.at, data: stats } : null;
      }
      default: {
        const known = this.fetched.get(key);
        if (known) return known;
        // Delivered to every subscriber of the topic, this one among them.
        await this.refresh(topic, false);
        return null;
      }
    }
  }

  unsubscribe(topic: string, subscriber: TopicSubscriber): void {
    const set = this.subscribers.get(topic);
    if (!set?.delete(subscriber) || set.size > 0) return;
    this.subscribers.delete(topic);
    this.fetched.delete(topic);
  }

  /** Null when the publisher knows no such broadcast. */
  async findBroadcast(broadcastId: string): Promise<BroadcastView | null> {
    const known = this.fetched.get(formatLiveTopic({ kind: 'broadcast', broadcastId }));
    if (known) return known.data as BroadcastView;
    return this.getBroadcast(broadcastId);
  }

  /**
   * A broadcast changed (state, title, or, `urgent`, one of its destinations): its topic and its
   * environment's list are fetched again, if anybody looks at them. Without the environment (a relay's
   * event does not say it), every environment's list that is watched.
   */
  broadcastChanged(broadcastId: string, environment: Environment | undefined, urgent: boolean): void {
    const topics: LiveTopic[] = [{ kind: 'broadcast', broadcastId }];
    for (const candidate of ['live', 'test'] as const) {
      if (environment === undefined || environment === candidate) topics.push({ kind: 'broadcasts', environment: candidate });
    }
    for (const topic of topics) {
      if (!this.subscribers.has(formatLiveTopic(topic))) continue;
      this.refresh(topic, urgent).catch((error: unknown) => {
        this.logger.warn(`could not refresh ${formatLiveTopic(topic)}: ${(error as Error).message}`);
      });
    }
  }

  /** A new snapshot replaces the last one; its parts go to the topics that are watched. */
  snapshotReceived(snapshot: EventPayload<typeof StatsSnapshot>): void {
    const host: TopicState = { topic: 'host', at: snapshot.host.at, data: snapshot.host };
    this.snapshot = { host, broadcasts: new Map(snapshot.broadcasts.map((stats) => [stats.broadcastId, stats])) };
    this.fanOut(host, false);
    for (const stats of snapshot.broadcasts) {
      const topic = formatLiveTopic({ kind: 'stats', broadcastId: stats.broadcastId });
      if (this.subscribers.has(topic)) this.fanOut({ topic, at: stats.at, data: stats }, false);
    }
  }

  /** Topics with at least one subscriber on this gateway. */
  get watchedTopics(): number {
    return this.subscribers.size;
  }

  private refresh(topic: LiveTopic, urgent: boolean): Promise<void> {
    const key = formatLiveTopic(topic);
    return this.refreshes.run(key, urgent, async (urgentNow) => {
      const data = await this.fetch(topic);
      // Nobody left to tell, or the broadcast is gone (a subscriber got its `error` already).
      if (data === null || !this.subscribers.has(key)) return;
      const state: TopicState = { topic: key, at: new Date().toISOString(), data };
      this.fetched.set(key, state);
      this.fanOut(state, urgentNow);
    });
  }

  private async fetch(topic: LiveTopic): Promise<BroadcastView | BroadcastView[] | null> {
    if (topic.kind === 'broadcasts') {
      const listed = await this.bus.request(ListBroadcasts, { environment: topic.environment, running: true, limit: RUNNING_LISTED });
      // Running by the same rule as everywhere (a publisher that ignores the filter lists ended ones too).
      return listed.filter((broadcast) => broadcastRuns(broadcast.state));
    }
    if (topic.kind === 'broadcast') return this.getBroadcast(topic.broadcastId);
    return null;
  }

  private async getBroadcast(id: string): Promise<BroadcastView | null> {
    try {
      return await this.bus.request(GetBroadcast, { id });
    } catch (error) {
      if (error instanceof BusRequestError && error.code === 'not_found') return null;
      throw error;
    }
  }

  private fanOut(state: TopicState, urgent: boolean): void {
    const set = this.subscribers.get(state.topic);
    if (!set) return;
    for (const subscriber of set) subscriber.deliver(state, urgent);
  }
}
