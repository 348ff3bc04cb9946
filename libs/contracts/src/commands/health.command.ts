import { z } from 'zod';
import { defineCommand } from '../envelope.js';
import { serviceNameSchema, type ServiceName } from '../domain.js';

export const servicePingResponseSchema = z.object({
  service: serviceNameSchema,
  /** host:pid of the replica that answered, to tell replicas apart. */
  instance: z.string().min(1),
  startedAt: z.iso.datetime(),
  uptimeSeconds: z.number().nonnegative(),
});
export type ServicePingResponse = z.infer<typeof servicePingResponseSchema>;

/**
 * "Does <service> answer?": one subject per service, answered by one replica of it (its queue
 * group). The gateway's readiness check asks every service this.
 */
export function servicePing<const S extends ServiceName>(service: S) {
  return defineCommand(service, `health.${service}.ping.v1`, z.object({}), servicePingResponseSchema);
}
export type ServicePing = ReturnType<typeof servicePing>;
