import type { EventContract } from './envelope.js';
import { BroadcastStateChanged } from './events/broadcast-state-changed.event.js';
import { IngestStarted } from './events/ingest-started.event.js';
import { IngestStopped } from './events/ingest-stopped.event.js';
import { IngestTrackChanged } from './events/ingest-track-changed.event.js';
import { ProgramInputChanged } from './events/program-input-changed.event.js';
import { ProgramRequested } from './events/program-requested.event.js';
import { ProgramSourceChanged } from './events/program-source-changed.event.js';
import { ProgramStarted } from './events/program-started.event.js';
import { ProgramStopped } from './events/program-stopped.event.js';
import { RecordingFinalized } from './events/recording-finalized.event.js';
import { RecordingStarted } from './events/recording-started.event.js';
import { RelayStateChanged } from './events/relay-state-changed.event.js';
import { TrackChanged } from './events/track-changed.event.js';

/**
 * The events that drive a broadcast's lifecycle travel on JetStream: kept in one stream, each written
 * through its producer's outbox, each consumer durable. Everything else (progress, stats) stays on
 * core NATS, where a lost message is recomputed by the next one.
 */
export const LIFECYCLE_EVENTS: readonly EventContract[] = [
  IngestStarted,
  IngestStopped,
  IngestTrackChanged,
  ProgramRequested,
  ProgramInputChanged,
  ProgramStarted,
  ProgramStopped,
  ProgramSourceChanged,
  BroadcastStateChanged,
  RelayStateChanged,
  RecordingStarted,
  RecordingFinalized,
  TrackChanged,
];

export interface StreamDefinition {
  /** Stream name for a subject prefix: test runs sharing one NATS server get streams of their own. */
  name: (subjectPrefix: string) => string;
  events: readonly EventContract[];
  /** How long an event is kept whether or not every consumer has read it. */
  maxAgeMs: number;
  /** Window in which a republished event (same id, e.g. an outbox retried after a crash) is dropped. */
  duplicateWindowMs: number;
}

export const LIFECYCLE_STREAM: StreamDefinition = {
  name: (subjectPrefix) => `${subjectPrefix.replace(/[^A-Za-z0-9_-]/g, '')}${subjectPrefix ? '_' : ''}LIFECYCLE`,
  events: LIFECYCLE_EVENTS,
  maxAgeMs: 7 * 24 * 3_600_000,
  duplicateWindowMs: 10 * 60_000,
};

export interface ConsumerDefinition {
  /** Durable name, shared by every replica of the service: each event reaches one replica. */
  durableName: string;
  /** A replica that holds an event this long without acking (crashed, frozen) loses it to another. */
  ackWaitMs: number;
  /** After this many failed deliveries an event is set aside (logged) so it cannot block the rest. */
  maxDeliver: number;
}

/**
 * One durable consumer per service. Events are handled one at a time, in order (max_ack_pending 1):
 * the lifecycle of one DJ is a sequence (started, stopped, started) and its volume is small.
 */
export function lifecycleConsumer(service: string): ConsumerDefinition {
  return { durableName: service, ackWaitMs: 10_000, maxDeliver: 50 };
}
