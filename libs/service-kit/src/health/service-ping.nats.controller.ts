import { hostname } from 'node:os';
import { Controller, type Type } from '@nestjs/common';
import { servicePing, type ServiceName, type ServicePingResponse } from '@streamcaster/contracts';
import { OnCommand } from '../bus/bus.decorators.js';

/**
 * A controller that answers `health.<service>.ping.v1` for its own service. The subject depends on
 * the service, and decorators take it when the class is defined, so the class is built per service.
 * It joins the service's queue group like every command: one replica answers, which is the question
 * ("does some publisher answer?").
 */
export function servicePingController(service: ServiceName): Type {
  const ping = servicePing(service);
  const startedAt = new Date();
  const instance = `${hostname()}:${process.pid}`;

  @Controller()
  class ServicePingNatsController {
    @OnCommand(ping)
    ping(): ServicePingResponse {
      return {
        service,
        instance,
        startedAt: startedAt.toISOString(),
        uptimeSeconds: Math.max(0, (Date.now() - startedAt.getTime()) / 1000),
      };
    }
  }
  // Nest names providers by class name; keep each service's apart in its logs.
  Object.defineProperty(ServicePingNatsController, 'name', { value: `${capitalised(service)}PingNatsController` });
  return ServicePingNatsController;
}

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}
