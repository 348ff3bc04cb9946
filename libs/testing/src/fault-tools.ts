import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SupervisedProcess } from '@streamcaster/supervisor';
import { freePort } from './free-port.js';
import type { RtmpSink } from './fakes/rtmp-sink.js';
import { processTree, readProc } from './process-tree.js';

/** The publishes a sink has had so far (nginx's `record_unique` gives each one a file of its own). */
export function publishesAt(sink: RtmpSink): Set<string> {
  return new Set(sink.recordings());
}

/**
 * When a sink receives again: a publish that is not among `before` and carries real media (at
 * least `minBytes`). Resolves with the time it had grown that far, or rejects after `timeoutMs`.
 */
export async function receivesAgain(sink: RtmpSink, before: Set<string>, timeoutMs = 30_000, minBytes = 16_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const file of sink.recordings()) {
      if (!before.has(file) && statSync(file).size >= minBytes) return Date.now();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`sink ${sink.name} received nothing new within ${timeoutMs} ms`);
}

/** Bytes the sink received under its key in the last `windowMs`: > 0 means the platform receives now. */
export async function bytesIn(sink: RtmpSink, windowMs = 1_500): Promise<number> {
  const total = () => sink.recordings().reduce((sum, file) => sum + statSync(file).size, 0);
  const before = total();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  return total() - before;
}

/** Which replica (by pid) runs a child process whose command line matches. */
export function replicaRunning(replicaPids: number[], matches: (command: string) => boolean): number | undefined {
  for (const pid of replicaPids) {
    for (const [child, sample] of processTree([pid])) {
      if (child !== pid && matches(sample.command)) return pid;
    }
  }
  return undefined;
}

/** Freezes (SIGSTOP) or thaws (SIGCONT) a process and everything below it. */
export function signalTree(pid: number, signal: 'SIGSTOP' | 'SIGCONT' | 'SIGKILL'): void {
  for (const member of processTree([pid]).keys()) {
    try {
      process.kill(member, signal);
    } catch {
      // gone already
    }
  }
}

function isStopped(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('T');
  } catch {
    return true;
  }
}

/**
 * Samples every 200 ms which ffmpeg processes run (not frozen) for each piece of per-broadcast work
 * and remembers any moment two of them ran at once: the check that leases really fence.
 */
export class FencingWatch {
  private timer: NodeJS.Timeout | null = null;
  readonly overlaps: string[] = [];
  samples = 0;

  constructor(private readonly keyOf: (command: string) => string | null) {}

  start(): void {
    this.timer = setInterval(() => this.sample(), 200);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  private sample(): void {
    this.samples += 1;
    const running = new Map<string, number[]>();
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const pid = Number(name);
      const sample = readProc(pid);
      if (!sample || !sample.command.startsWith('ffmpeg') || isStopped(pid)) continue;
      const key = this.keyOf(sample.command);
      if (!key) continue;
      running.set(key, [...(running.get(key) ?? []), pid]);
    }
    for (const [key, pids] of running) {
      if (pids.length > 1) this.overlaps.push(`${new Date().toISOString()} ${key}: ${pids.join(', ')}`);
    }
  }
}

/** A NATS server with JetStream of the test's own, so that it can be killed and restarted. */
export class PrivateNats {
  private process: SupervisedProcess | null = null;
  private readonly storeDir = mkdtempSync(join(tmpdir(), 'streamcaster-nats-'));
  port = 0;

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    this.process = new SupervisedProcess({
      name: 'nats-server',
      command: '/usr/sbin/nats-server',
      args: ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.storeDir],
      restart: 'never',
      readiness: { kind: 'tcp', host: '127.0.0.1', port: this.port },
    });
    await this.process.start();
  }

  /** Killed as a crash would: no goodbye to its clients. */
  async kill(): Promise<void> {
    await this.process?.kill();
    this.process = null;
  }

  async stop(): Promise<void> {
    await this.process?.stop();
    this.process = null;
  }

  dispose(): void {
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
