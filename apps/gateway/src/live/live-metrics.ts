import { Counter, Gauge, register } from 'prom-client';

/**
 * The live channel's metrics, on prom-client's default registry (served with the gateway's other
 * metrics). Created once per process: a registry refuses a name twice, and the integration tests run
 * two gateways in one process (their counts then add up, as a scrape of the process would show).
 */
function once<M>(name: string, create: () => M): M {
  return (register.getSingleMetric(name) as M | undefined) ?? create();
}

export const liveClients = once(
  'streamcaster_live_clients',
  () => new Gauge({ name: 'streamcaster_live_clients', help: 'WebSocket clients connected to the live channel (/api/live)' }),
);

export const liveSlowClientsDropped = once(
  'streamcaster_live_slow_clients_dropped_total',
  () =>
    new Counter({
      name: 'streamcaster_live_slow_clients_dropped_total',
      help: 'Live channel clients closed with 4408 because their send buffer filled',
    }),
);
