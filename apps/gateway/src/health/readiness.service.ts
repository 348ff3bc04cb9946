import { Injectable, Logger } from '@nestjs/common';
import { serviceNameSchema, servicePing, type ServiceName } from '@streamcaster/contracts';
import { BusClient, BusRequestError } from '@streamcaster/service-kit';
import { DataSource } from 'typeorm';
import { GatewayConfig } from '../config/gateway.config.js';
import { runChecks, type Check, type CheckState, type ReadinessReport } from './readiness.js';
import { RedisProbe } from './redis-probe.js';

/** Each check has this long; they run at once, so an answer takes about this long at worst. */
export const CHECK_TIMEOUT_MS = 1_000;

/** The services behind the gateway; each answers its own ping (ServiceHealthModule). */
const SERVICES = serviceNameSchema.options.filter((service) => service !== 'gateway');

/**
 * Whether everything the API needs answers now: PostgreSQL, Redis, NATS, nginx-rtmp and every
 * service. Concurrent callers share one run, so a flood of probes costs one set of checks at a time.
 */
@Injectable()
export class ReadinessService {
  private readonly logger = new Logger('Readiness');
  private readonly checks: Record<string, Check>;
  private running?: Promise<ReadinessReport>;
  private readonly lastStates = new Map<string, CheckState>();

  constructor(
    config: GatewayConfig,
    dataSource: DataSource,
    redis: RedisProbe,
    private readonly bus: BusClient,
  ) {
    this.checks = {
      postgres: async () => {
        await dataSource.query('SELECT 1');
      },
      redis: () => redis.ping(),
      // A request through NATS to the gateway's own bus listener and back.
      nats: () => this.ping('gateway'),
      'nginx-rtmp': async () => {
        const response = await fetch(config.rtmpStatUrl, { signal: AbortSignal.timeout(CHECK_TIMEOUT_MS) }).catch((error: Error) => {
          // fetch says only "fetch failed"; the reason (ECONNREFUSED...) is in its cause.
          const reason = error.cause as { code?: string; message?: string } | undefined;
          throw new Error(`${config.rtmpStatUrl}: ${reason?.code ?? reason?.message ?? error.message}`, { cause: error });
        });
        const body = await response.text();
        if (!response.ok) throw new Error(`${config.rtmpStatUrl} answered HTTP ${response.status}`);
        if (!body.includes('<rtmp>')) throw new Error(`${config.rtmpStatUrl} is not nginx-rtmp's statistics page`);
      },
      ...Object.fromEntries(SERVICES.map((service) => [service, () => this.ping(service)])),
    };
  }

  check(): Promise<ReadinessReport> {
    this.running ??= runChecks(this.checks, CHECK_TIMEOUT_MS)
      .then((report) => {
        this.logChanges(report);
        return report;
      })
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async ping(service: ServiceName): Promise<void> {
    try {
      await this.bus.request(servicePing(service), {}, CHECK_TIMEOUT_MS);
    } catch (error) {
      // The log gets the transport's reason ("no responders", a timeout), not the user-facing text.
      if (error instanceof BusRequestError && error.technicalCause) throw new Error(error.technicalCause, { cause: error });
      throw error;
    }
  }

  /** A probe every few seconds must not fill the log: only what changed is written, with its cause. */
  private logChanges(report: ReadinessReport): void {
    for (const [name, state] of Object.entries(report.checks)) {
      const before = this.lastStates.get(name);
      this.lastStates.set(name, state);
      if (state === before) continue;
      if (state === 'ok') {
        if (before !== undefined) this.logger.log(`${name} answers again`);
      } else {
        this.logger.warn(`${name} is not answering: ${report.causes[name] ?? 'no reason given'}`);
      }
    }
  }
}
