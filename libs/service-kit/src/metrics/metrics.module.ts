import {
  Global,
  Inject,
  Module,
  RequestMethod,
  type DynamicModule,
  type MiddlewareConsumer,
  type NestModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { httpRequestMetrics } from './http-request.metrics.js';
import { MetricsServer, type MetricsListenOptions } from './metrics.server.js';
import { startProcessMetrics } from './process-metrics.js';

export interface MetricsOptions extends MetricsListenOptions {
  /** The `service` label on every metric. */
  service: string;
}

const METRICS_OPTIONS = Symbol('MetricsOptions');

/**
 * Prometheus metrics for one service: process metrics, the shared ones (bus requests and commands,
 * queues, outbox) and the service's own, all on prom-client's default register, served on
 * METRICS_HOST:METRICS_PORT (`GET /metrics`) from boot until shutdown. In an HTTP application (the
 * gateway) it also times every request (`streamcaster_http_request_duration_seconds`).
 */
@Global()
@Module({})
export class MetricsModule implements NestModule, OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    @Inject(MetricsServer) private readonly server: MetricsServer,
    @Inject(METRICS_OPTIONS) private readonly options: MetricsOptions,
  ) {}

  static forRoot(options: MetricsOptions): DynamicModule {
    return {
      module: MetricsModule,
      providers: [
        { provide: METRICS_OPTIONS, useValue: options },
        { provide: MetricsServer, useFactory: () => new MetricsServer(options) },
      ],
      exports: [MetricsServer],
    };
  }

  /** Only HTTP applications call this; the bus services have no middleware. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(httpRequestMetrics).forRoutes({ path: '*path', method: RequestMethod.ALL });
  }

  async onApplicationBootstrap(): Promise<void> {
    startProcessMetrics(this.options.service);
    await this.server.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server.stop();
  }
}
