import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { GetBroadcast, type BroadcastState, type BroadcastView } from '@streamcaster/contracts';

const STAND_IN_DJ_ID = '5d6f2a7e-3c1b-4e8a-9f0d-2b4c6e8a0f13';

/**
 * The one publisher command other services ask, `broadcasts.get`, answered the way Nest's NATS
 * server does (`{ id, response | err, isDisposed }`), from a map the test controls. Unknown ids get
 * the publisher's `not_found`.
 */
export function answerBroadcastsGet(nats: NatsConnection, subjectPrefix: string, states: Map<string, BroadcastState>): Subscription {
  return nats.subscribe(`${subjectPrefix}${GetBroadcast.subject}`, {
    callback: (error, message) => {
      if (error) return;
      const packet = message.json<{ id: string; data: { id: string } }>();
      const state = states.get(packet.data.id);
      if (!state) {
        message.respond(JSON.stringify({ id: packet.id, err: { code: 'not_found', message: `no broadcast with id ${packet.data.id}` }, isDisposed: true }));
        return;
      }
      const view: BroadcastView = {
        id: packet.data.id,
        environment: 'live',
        state,
        djId: STAND_IN_DJ_ID,
        djName: 'DJ Stand-in',
        title: 'DJ Stand-in live',
        description: '',
        startedAt: new Date().toISOString(),
        endedAt: null,
        destinations: [],
      };
      message.respond(JSON.stringify({ id: packet.id, response: view, isDisposed: true }));
    },
  });
}
