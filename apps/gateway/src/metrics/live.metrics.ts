import { Counter, Gauge } from 'prom-client';

/** The live channel's sockets (LiveChannelServer counts them in and out). */
export const liveClients = new Gauge({
  name: 'streamcaster_live_clients',
  help: 'WebSocket clients connected to the live channel (/api/live)',
});

export const liveSlowClientsDropped = new Counter({
  name: 'streamcaster_live_slow_clients_dropped_total',
  help: 'Live channel clients closed with 4408 because more than the bound was queued for them',
});
