import { Controller } from '@nestjs/common';
import {
  BroadcastStateChanged,
  broadcastRuns,
  ListPrograms,
  ProgramInputChanged,
  ProgramRequested,
  IngestTrackChanged,
  TrackChanged,
  trackLine,
  type EventMessage,
  type EventPayload,
  type ProgramView,
} from '@streamcaster/contracts';
import { LeaseStore, OnCommand, OnDurableEvent, OnEvent, type DurableContext } from '@streamcaster/service-kit';
import { ProgramsRepository } from '../programs/programs.repository.js';
import { ProgramWorkers } from './program-workers.service.js';

@Controller()
export class TranscodeNatsController {
  constructor(
    private readonly programs: ProgramsRepository,
    private readonly workers: ProgramWorkers,
    private readonly leases: LeaseStore,
  ) {}

  /** The publisher wants a program: kept until the broadcast is over, run by whichever replica leases it. */
  @OnDurableEvent(ProgramRequested)
  async onProgramRequested(message: EventMessage<EventPayload<typeof ProgramRequested>>, { manager }: DurableContext): Promise<void> {
    await this.programs.request(manager, message.payload);
  }

  @OnDurableEvent(BroadcastStateChanged)
  async onBroadcastState(message: EventMessage<EventPayload<typeof BroadcastStateChanged>>, { manager }: DurableContext): Promise<void> {
    if (!broadcastRuns(message.payload.state)) await this.programs.end(manager, message.payload.broadcastId);
  }

  /**
   * The DJ came back through another input: kept with the program; the replica running it sees the
   * new input at its next scan of the wanted programs (the hint below makes that scan now).
   */
  @OnDurableEvent(ProgramInputChanged)
  async onProgramInputChanged(message: EventMessage<EventPayload<typeof ProgramInputChanged>>, { manager }: DurableContext): Promise<void> {
    await this.programs.setInput(manager, message.payload.broadcastId, message.payload.input);
  }

  @OnEvent(ProgramInputChanged, { fanout: true })
  onProgramInputChangedHint(): void {
    // After the durable handler's transaction (on whichever replica) has had time to commit.
    setTimeout(() => this.workers.nudge(), 100);
  }

  /** A new track: kept with the program (for a replica that takes it over), drawn by its owner (below). */
  @OnDurableEvent(TrackChanged)
  async onTrackChanged(message: EventMessage<EventPayload<typeof TrackChanged>>, { manager }: DurableContext): Promise<void> {
    await this.programs.setNowPlaying(manager, message.payload.broadcastId, trackLine(message.payload));
  }

  /** Whichever replica runs the program draws the new track at once. */
  @OnEvent(TrackChanged, { fanout: true })
  onTrackChangedHint(message: EventMessage<EventPayload<typeof TrackChanged>>): void {
    this.workers.trackChanged(message.payload.broadcastId, trackLine(message.payload));
  }

  /** The DJ's source named a new track: the replica reading it draws it before the tracklist's event comes. */
  @OnEvent(IngestTrackChanged, { fanout: true })
  onSourceTrackHint(message: EventMessage<EventPayload<typeof IngestTrackChanged>>): void {
    this.workers.trackOnInput(message.payload.stream, trackLine(message.payload));
  }

  /**
   * Fan-out hints on core NATS, heard as the durable events pass: every replica looks at once, so a
   * new program starts (and an ended one stops) without waiting for the next scan.
   */
  @OnEvent(ProgramRequested, { fanout: true })
  onProgramRequestedHint(): void {
    setTimeout(() => this.workers.nudge(), 50);
  }

  @OnEvent(BroadcastStateChanged, { fanout: true })
  onBroadcastStateHint(): void {
    setTimeout(() => this.workers.nudge(), 50);
  }

  @OnCommand(ListPrograms)
  async list(): Promise<ProgramView[]> {
    const running = new Set((await this.leases.list('program:')).map((lease) => lease.resource.slice('program:'.length)));
    return (await this.programs.recent()).map((program) => ({ broadcastId: program.broadcastId, wanted: program.wanted, running: running.has(program.broadcastId) }));
  }
}
