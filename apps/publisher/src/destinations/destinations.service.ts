import { Injectable } from '@nestjs/common';
import type { DestinationView, Environment, Platform } from '@streamcaster/contracts';
import { destinationCreateSchema, destinationPatchSchema } from '@streamcaster/contracts';
import { BusException, SecretBox } from '@streamcaster/service-kit';
import type { z } from 'zod';
import type { DestinationEntity } from './destination.entity.js';
import { DestinationsRepository } from './destinations.repository.js';

export function toDestinationView(destination: DestinationEntity): DestinationView {
  return {
    id: destination.id,
    environment: destination.environment,
    platform: destination.platform,
    name: destination.name,
    url: destination.url,
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
    private readonly secrets: SecretBox,
  ) {}

  async create(input: z.output<typeof destinationCreateSchema>): Promise<DestinationView> {
    const { streamKey, ...fields } = input;
    const saved = await this.destinations.save({ ...fields, streamKeySealed: this.secrets.seal(streamKey) });
    return toDestinationView(saved);
  }

  async list(environment?: Environment): Promise<DestinationView[]> {
    return (await this.destinations.list(environment)).map(toDestinationView);
  }

  async update(id: string, patch: z.output<typeof destinationPatchSchema>): Promise<DestinationView> {
    const destination = await this.destinations.findById(id);
    if (!destination) throw new BusException('not_found', `no destination with id ${id}`);
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
   * The enabled destinations of an environment with their keys opened. One whose key cannot be read
   * (sealed with another STREAMCASTER_SECRET_KEY, or damaged) is returned as unreadable with the
   * reason, so that it fails alone while every other destination goes live.
   */
  async relayTargets(environment: Environment): Promise<Array<RelayTarget | UnreadableTarget>> {
    return (await this.destinations.listEnabled(environment)).map((destination) => {
      try {
        const streamKey = this.secrets.open(destination.streamKeySealed);
        return {
          kind: 'ready',
          id: destination.id,
          name: destination.name,
          platform: destination.platform,
          pushUrl: joinStreamKey(destination.url, streamKey),
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
    });
  }
}

/** RTMP servers take the stream key as the last path segment of the publish URL. */
export function joinStreamKey(serverUrl: string, streamKey: string): string {
  return `${serverUrl.replace(/\/+$/, '')}/${streamKey}`;
}
