import { applyDecorators } from '@nestjs/common';
import { EventPattern, MessagePattern } from '@nestjs/microservices';
import type { CommandContract, EventContract } from '@streamcaster/contracts';
import { BusException } from './bus-error.js';
import type { BusHandlerExtras } from './bus.server.js';
import { describeIssue } from './bus.client.js';
import { busCommandDuration } from '../metrics/bus.metrics.js';

type Handler = (...args: unknown[]) => unknown;

/**
 * Subscribes a method to an event contract. The method receives the validated envelope; a message
 * that does not match the contract is logged and dropped instead of reaching domain code.
 */
export function OnEvent(event: EventContract, extras: BusHandlerExtras = {}): MethodDecorator {
  const validate: MethodDecorator = (_target, key, descriptor) => {
    const original = descriptor.value as unknown as Handler;
    const wrapped = async function (this: unknown, raw: unknown, ...rest: unknown[]) {
      const parsed = event.message.safeParse(raw);
      if (!parsed.success) {
        console.warn(`${event.subject}: dropped a malformed message in ${String(key)}: ${parsed.error.message}`);
        return;
      }
      return original.call(this, parsed.data, ...rest);
    };
    (descriptor as PropertyDescriptor).value = wrapped;
    return descriptor;
  };
  // The wrapper goes in first: EventPattern stores its metadata on the function that ends up in place.
  return applyDecorators(validate, EventPattern(event.subject, extras as Record<string, unknown>) as MethodDecorator);
}

/**
 * Answers a command contract: the request is validated before the method runs (an invalid one is
 * answered with code `invalid`), and the answer is parsed by the response schema, so that nothing
 * beyond the contract, an entity's private column say, can leave the service.
 */
export function OnCommand(command: CommandContract): MethodDecorator {
  const validate: MethodDecorator = (_target, _key, descriptor) => {
    const original = descriptor.value as unknown as Handler;
    const wrapped = async function (this: unknown, raw: unknown, ...rest: unknown[]) {
      const timer = busCommandDuration.startTimer({ subject: command.subject });
      try {
        const parsed = command.request.safeParse(raw);
        if (!parsed.success) throw new BusException('invalid', parsed.error.issues.map(describeIssue).join('; '));
        const answer = command.response.parse(await original.call(this, parsed.data, ...rest));
        timer({ outcome: 'ok' });
        return answer;
      } catch (error) {
        timer({ outcome: error instanceof BusException ? ((error.getError() as { code: string }).code) : 'error' });
        throw error;
      }
    };
    (descriptor as PropertyDescriptor).value = wrapped;
    return descriptor;
  };
  return applyDecorators(validate, MessagePattern(command.subject) as MethodDecorator);
}
