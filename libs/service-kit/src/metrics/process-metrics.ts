import { collectDefaultMetrics, register } from 'prom-client';

let collecting = false;

/**
 * prom-client's process metrics (CPU, memory, event loop lag, handles, GC), once per process, and the
 * `service` label on every metric. Several services in one process (the integration tests) share the
 * register: the last one started names them all.
 */
export function startProcessMetrics(service: string): void {
  if (!collecting) collectDefaultMetrics();
  collecting = true;
  register.setDefaultLabels({ service });
}
