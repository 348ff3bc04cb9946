import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import {
  RUNNING_BROADCAST_STATES,
  type BroadcastState,
  type BroadcastView,
  type Environment,
  type IngestStream,
  type RelayState,
  type RecorderStats,
} from '@streamcaster/contracts';

/** A broadcast as the stats service knows it: enough to find its ingest and to bound its history. */
export interface TrackedBroadcast {
  id: string;
  environment: Environment;
  state: BroadcastState;
  djId: string | null;
  /** The DJ's stream the transcoder reads (from program.requested); null until known. */
  ingest: IngestStream | null;
  startedAt: Date;
  endedAt: Date | null;
}

export interface TrackedRelay {
  broadcastId: string;
  destinationId: string;
  name: string | null;
  state: RelayState;
  reconnects: number;
  lastError: string | null;
  liveSince: Date | null;
}

export interface TrackedRecording {
  id: string;
  broadcastId: string;
  state: RecorderStats['state'];
  sizeBytes: number;
  durationSeconds: number;
}

interface BroadcastRow {
  id: string;
  environment: Environment;
  state: BroadcastState;
  dj_id: string | null;
  ingest_app: Environment | null;
  ingest_stream: string | null;
  started_at: Date;
  ended_at: Date | null;
}

const RUNNING = `ARRAY['${RUNNING_BROADCAST_STATES.join("','")}']`;

/**
 * The broadcasts, relays and recordings that the stats service follows, in its own tables: the
 * durable lifecycle events reach one replica, and the leader that builds the snapshots may be another.
 * Every state carries the time it was true at (`state_at`): a write only lands if it is not older
 * than what the row has, so a late event never undoes a newer answer of the publisher.
 */
@Injectable()
export class TrackedBroadcastsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async broadcastState(manager: EntityManager, change: { id: string; environment: Environment; state: BroadcastState; at: Date }): Promise<void> {
    await manager.query(
      `INSERT INTO stats.broadcasts (id, environment, state, state_at, started_at, ended_at)
       VALUES ($1, $2, $3, $4, $4, CASE WHEN $3 = ANY(${RUNNING}) THEN NULL ELSE $4::timestamptz END)
       ON CONFLICT (id) DO UPDATE SET
         state = excluded.state,
         state_at = excluded.state_at,
         ended_at = CASE WHEN excluded.state = ANY(${RUNNING}) THEN NULL ELSE coalesce(stats.broadcasts.ended_at, excluded.state_at) END
       WHERE stats.broadcasts.state_at <= excluded.state_at`,
      [change.id, change.environment, change.state, change.at],
    );
  }

  /** Which DJ stream a broadcast's program reads: its ingest in nginx-rtmp. */
  async programInput(manager: EntityManager, request: { broadcastId: string; environment: Environment; input: IngestStream; at: Date }): Promise<void> {
    await manager.query(
      `INSERT INTO stats.broadcasts (id, environment, state, state_at, started_at, ingest_app, ingest_stream)
       VALUES ($1, $2, 'starting', $3, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET ingest_app = excluded.ingest_app, ingest_stream = excluded.ingest_stream`,
      [request.broadcastId, request.environment, request.at, request.input.app, request.input.streamName],
    );
  }

  async relayState(
    manager: EntityManager,
    change: { broadcastId: string; destinationId: string; state: RelayState; reconnects: number; reason: string | null; at: Date },
  ): Promise<void> {
    await manager.query(
      `INSERT INTO stats.relays AS relay (broadcast_id, destination_id, state, state_at, reconnects, last_error, live_since)
       VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $3 = 'live' THEN $4::timestamptz END)
       ON CONFLICT (broadcast_id, destination_id) DO UPDATE SET
         state = excluded.state,
         state_at = excluded.state_at,
         reconnects = excluded.reconnects,
         -- A relay that goes live has no error any more; one that changes state without a reason keeps its last.
         last_error = CASE WHEN excluded.state = 'live' THEN NULL ELSE coalesce(excluded.last_error, relay.last_error) END,
         live_since = CASE WHEN excluded.state <> 'live' THEN NULL WHEN relay.state = 'live' THEN relay.live_since ELSE excluded.state_at END
       WHERE relay.state_at <= excluded.state_at`,
      [change.broadcastId, change.destinationId, change.state, change.at, change.reconnects, change.reason],
    );
  }

  async recordingStarted(manager: EntityManager, recording: { recordingId: string; broadcastId: string }): Promise<void> {
    await manager.query(
      `INSERT INTO stats.recordings (id, broadcast_id, state) VALUES ($1, $2, 'recording') ON CONFLICT (id) DO NOTHING`,
      [recording.recordingId, recording.broadcastId],
    );
  }

  async recordingFinalized(manager: EntityManager, recording: { recordingId: string; broadcastId: string; sizeBytes: number; durationSeconds: number }): Promise<void> {
    await manager.query(
      `INSERT INTO stats.recordings (id, broadcast_id, state, size_bytes, duration_seconds) VALUES ($1, $2, 'ready', $3, $4)
       ON CONFLICT (id) DO UPDATE SET state = 'ready', size_bytes = excluded.size_bytes, duration_seconds = excluded.duration_seconds`,
      [recording.recordingId, recording.broadcastId, recording.sizeBytes, recording.durationSeconds],
    );
  }

  /** The publisher's view of broadcasts, true at `at`: their state, DJ, and every destination's relay. */
  async reconcile(views: BroadcastView[], at: Date): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      for (const view of views) {
        await manager.query(
          `INSERT INTO stats.broadcasts (id, environment, state, state_at, dj_id, started_at, ended_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)
           ON CONFLICT (id) DO UPDATE SET
             dj_id = excluded.dj_id,
             started_at = excluded.started_at,
             state = CASE WHEN stats.broadcasts.state_at <= excluded.state_at THEN excluded.state ELSE stats.broadcasts.state END,
             ended_at = CASE WHEN stats.broadcasts.state_at <= excluded.state_at THEN excluded.ended_at ELSE stats.broadcasts.ended_at END,
             state_at = greatest(stats.broadcasts.state_at, excluded.state_at)`,
          [view.id, view.environment, view.state, at, view.djId, view.startedAt, view.endedAt],
        );
        for (const destination of view.destinations) {
          await manager.query(
            `INSERT INTO stats.relays AS relay (broadcast_id, destination_id, name, state, state_at, reconnects, last_error, live_since)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (broadcast_id, destination_id) DO UPDATE SET
               name = excluded.name,
               state = CASE WHEN relay.state_at <= excluded.state_at THEN excluded.state ELSE relay.state END,
               reconnects = CASE WHEN relay.state_at <= excluded.state_at THEN excluded.reconnects ELSE relay.reconnects END,
               last_error = CASE WHEN relay.state_at <= excluded.state_at THEN excluded.last_error ELSE relay.last_error END,
               live_since = CASE WHEN relay.state_at <= excluded.state_at THEN excluded.live_since ELSE relay.live_since END,
               state_at = greatest(relay.state_at, excluded.state_at)`,
            [view.id, destination.id, destination.name, destination.state, at, destination.reconnects, destination.lastError, destination.liveSince],
          );
        }
      }
    });
  }

  /** The publisher no longer knows this broadcast (deleted): it is over for the stats too. */
  async forget(id: string, at: Date): Promise<void> {
    await this.broadcastState(this.dataSource.manager, { id, environment: 'live', state: 'ended', at });
  }

  async running(): Promise<{ broadcasts: TrackedBroadcast[]; relays: TrackedRelay[]; recordings: TrackedRecording[] }> {
    const rows = (await this.dataSource.query(`SELECT * FROM stats.broadcasts WHERE state = ANY(${RUNNING}) ORDER BY started_at`)) as BroadcastRow[];
    if (rows.length === 0) return { broadcasts: [], relays: [], recordings: [] };
    const ids = rows.map((row) => row.id);
    const [relays, recordings] = await Promise.all([
      this.dataSource.query(
        `SELECT broadcast_id, destination_id, name, state, reconnects, last_error, live_since FROM stats.relays
         WHERE broadcast_id = ANY($1::uuid[]) ORDER BY name NULLS LAST, destination_id`,
        [ids],
      ) as Promise<Array<{ broadcast_id: string; destination_id: string; name: string | null; state: RelayState; reconnects: number; last_error: string | null; live_since: Date | null }>>,
      this.dataSource.query(`SELECT id, broadcast_id, state, size_bytes, duration_seconds FROM stats.recordings WHERE broadcast_id = ANY($1::uuid[])`, [ids]) as Promise<
        Array<{ id: string; broadcast_id: string; state: RecorderStats['state']; size_bytes: string; duration_seconds: number }>
      >,
    ]);
    return {
      broadcasts: rows.map(toTrackedBroadcast),
      relays: relays.map((row) => ({
        broadcastId: row.broadcast_id,
        destinationId: row.destination_id,
        name: row.name,
        state: row.state,
        reconnects: row.reconnects,
        lastError: row.last_error,
        liveSince: row.live_since,
      })),
      recordings: recordings.map((row) => ({
        id: row.id,
        broadcastId: row.broadcast_id,
        state: row.state,
        sizeBytes: Number(row.size_bytes),
        durationSeconds: row.duration_seconds,
      })),
    };
  }

  async find(id: string): Promise<TrackedBroadcast | null> {
    const rows = (await this.dataSource.query(`SELECT * FROM stats.broadcasts WHERE id = $1`, [id])) as BroadcastRow[];
    return rows[0] ? toTrackedBroadcast(rows[0]) : null;
  }
}

function toTrackedBroadcast(row: BroadcastRow): TrackedBroadcast {
  return {
    id: row.id,
    environment: row.environment,
    state: row.state,
    djId: row.dj_id,
    ingest: row.ingest_app && row.ingest_stream ? { app: row.ingest_app, streamName: row.ingest_stream } : null,
    startedAt: row.started_at,
    endedAt: row.ended_at,
  };
}
