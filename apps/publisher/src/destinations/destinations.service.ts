import { Injectable } from '@nestjs/common';
import { PLATFORM_RULES, type ApiPlatform, type DestinationCreate, type DestinationView, type Environment, type Platform, type PlatformPrivacy } from '@streamcaster/contracts';
import type { destinationPatchSchema } from '@streamcaster/contracts';
import { BusException, SecretBox } from '@streamcaster/service-kit';
import type { z } from 'zod';
import type { DestinationEntity } from './destination.entity.js';
import { DestinationsRepository } from './destinations.repository.js';
import { PlatformAccountsRepository } from '../platform-accounts/platform-accounts.repository.js';

export function toDestinationView(destination: DestinationEntity): DestinationView {
  return {
    id: destination.id,
    environment: destination.environment,
    platform: destination.platform,
    name: destination.name,
    url: destination.url,
    accountId: destination.accountId,
    privacy: destination.privacy,
    enabled: destination.enabled,
    createdAt: destination.createdAt.toISOString(),
    updatedAt: destination.updatedAt.toISOString(),
  };
}

/** A destination with its key opened, for the relay that pushes to it. Never leaves the publisher. */
export interface RelayTarget {
  kind: 'ready';
  id: string;
  name: string;
  platform: Platform;
  /** Server URL joined with the stream key, e.g. rtmps://live.example.com/app/<key>. */
  pushUrl: string;
  /** The key alone, to mask it wherever ffmpeg repeats the URL. */
  streamKey: string;
}

/** An API-platform destination: the platform hands out its ingest at each broadcast. */
export interface PlatformTarget {
  kind: 'platform';
  id: string;
  name: string;
  platform: ApiPlatform;
  accountId: string;
}

/** A destination whose sealed key cannot be opened: it gets no relay, and says why. */
export interface UnreadableTarget {
  kind: 'unreadable';
  id: string;
  name: string;
  platform: Platform;
  reason: string;
}

@Injectable()
export class DestinationsService {
  constructor(
    private readonly destinations: DestinationsRepository,
    private readonly accounts: PlatformAccountsRepository,
    private readonly secrets: SecretBox,
  ) {}

  async create(input: DestinationCreate): Promise<DestinationView> {
    if (input.platform === 'rtmp') {
      const { streamKey, ...fields } = input;
      return toDestinationView(await this.destinations.save({ ...fields, streamKeySealed: this.secrets.seal(streamKey), accountId: null, privacy: null }));
    }
    await this.checkAccount(input.accountId, input.platform, input.environment);
    const privacy = PLATFORM_RULES[input.platform].hasPrivacy ? (input.privacy ?? 'public') : null;
    return toDestinationView(await this.destinations.save({ ...input, privacy, url: null, streamKeySealed: null }));
  }

  /** The account must exist, be of the destination's platform and of its environment. */
  private async checkAccount(accountId: string, platform: ApiPlatform, environment: Environment): Promise<void> {
    const account = await this.accounts.findById(accountId);
    if (!account) throw new BusException('invalid', `accountId: no connected platform account with id ${accountId}`);
    const label = PLATFORM_RULES[platform].label;
    if (account.platform !== platform) {
      throw new BusException('invalid', `accountId: account ${account.displayName} is a ${PLATFORM_RULES[account.platform].label} account, not a ${label} one`);
    }
    if (account.environment !== environment) {
      throw new BusException(
        'invalid',
        `accountId: account ${account.displayName} is connected for ${account.environment}; a ${environment} destination needs an account connected for ${environment}`,
      );
    }
  }

  async list(environment?: Environment): Promise<DestinationView[]> {
    return (await this.destinations.list(environment)).map(toDestinationView);
  }

  async update(id: string, patch: z.output<typeof destinationPatchSchema>): Promise<DestinationView> {
    const destination = await this.destinations.findById(id);
    if (!destination) throw new BusException('not_found', `no destination with id ${id}`);
    if (destination.platform === 'rtmp' && patch.privacy !== undefined) {
      throw new BusException('invalid', 'privacy: an rtmp destination has no privacy setting');
    }
    if (destination.platform !== 'rtmp' && (patch.url !== undefined || patch.streamKey !== undefined)) {
      throw new BusException('invalid', `url and streamKey: ${PLATFORM_RULES[destination.platform].label} hands out its own ingest; there is nothing to type`);
    }
    if (destination.platform !== 'rtmp' && patch.privacy !== undefined && !PLATFORM_RULES[destination.platform].hasPrivacy) {
      throw new BusException('invalid', `privacy: ${PLATFORM_RULES[destination.platform].label} has no privacy setting`);
    }
    const { streamKey, ...fields } = patch;
    const changes = Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
    Object.assign(destination, changes);
    if (streamKey !== undefined) destination.streamKeySealed = this.secrets.seal(streamKey);
    return toDestinationView(await this.destinations.save(destination));
  }

  async delete(id: string): Promise<{ id: string }> {
    if (!(await this.destinations.delete(id))) throw new BusException('not_found', `no destination with id ${id}`);
    return { id };
  }

  /**
   * What a broadcast of the environment goes to: every enabled destination, read once. An `rtmp` one
   * comes with its key opened, or as unreadable with the reason (sealed with another
   * STREAMCASTER_SECRET_KEY, or damaged), so that it fails alone while every other destination goes
   * live; an API-platform one with the account it streams as (the platform hands out the ingest).
   */
  async broadcastTargets(environment: Environment): Promise<Array<RelayTarget | UnreadableTarget | PlatformTarget>> {
    return (await this.destinations.listEnabled(environment)).flatMap((destination): Array<RelayTarget | UnreadableTarget | PlatformTarget> => {
      if (destination.platform === 'rtmp') return [this.rtmpTarget(destination)];
      return destination.accountId ? [{ kind: 'platform', id: destination.id, name: destination.name, platform: destination.platform, accountId: destination.accountId }] : [];
    });
  }

  /** The privacy of an API-platform destination (read when its platform broadcast is created). */
  async privacyOf(id: string): Promise<PlatformPrivacy | null> {
    return (await this.destinations.findById(id))?.privacy ?? null;
  }

  private rtmpTarget(destination: DestinationEntity): RelayTarget | UnreadableTarget {
    try {
      const streamKey = this.secrets.open(destination.streamKeySealed ?? '');
      return {
        kind: 'ready',
        id: destination.id,
        name: destination.name,
        platform: destination.platform,
        pushUrl: joinStreamKey(destination.url ?? '', streamKey),
        streamKey,
      };
    } catch (error) {
      return {
        kind: 'unreadable',
        id: destination.id,
        name: destination.name,
        platform: destination.platform,
        reason: `its stream key cannot be read (${(error as Error).message}): it was sealed with another STREAMCASTER_SECRET_KEY or is damaged; enter the key again`,
      };
    }
  }
}

/** RTMP servers take the stream key as the last path segment of the publish URL. */
export function joinStreamKey(serverUrl: string, streamKey: string): string {
  return `${serverUrl.replace(/\/+$/, '')}/${streamKey}`;
}
