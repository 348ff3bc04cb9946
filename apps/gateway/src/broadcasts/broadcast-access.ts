import { Injectable, NotFoundException } from '@nestjs/common';
import { GetBroadcast, type BroadcastView } from '@streamcaster/contracts';
import { BusClient } from '@streamcaster/service-kit';
import { djScopeOf, type AuthenticatedUser } from '../auth/auth.decorators.js';

/**
 * Whether the caller may see a broadcast, as the routes below /api/broadcasts/:id ask it: a user with
 * role dj sees only its DJ's; another's answers 404, as if it did not exist.
 */
@Injectable()
export class BroadcastAccess {
  constructor(private readonly bus: BusClient) {}

  /** The broadcast (asked from the publisher), or 404 for a dj user that does not own it. */
  async visible(id: string, caller: AuthenticatedUser): Promise<BroadcastView> {
    const broadcast = await this.bus.request(GetBroadcast, { id });
    const djId = djScopeOf(caller);
    if (djId && broadcast.djId !== djId) throw new NotFoundException(`no broadcast with id ${id}`);
    return broadcast;
  }

  /** Asks the publisher only for a dj user: the others may see every broadcast. */
  async assertVisible(id: string, caller: AuthenticatedUser): Promise<void> {
    if (djScopeOf(caller)) await this.visible(id, caller);
  }
}
