import { processTree } from '@streamcaster/testing';

/**
 * CPU seconds used by a process tree over a window. Sampled every 200 ms, so that processes that
 * start or end inside the window are counted too (a process ending between two samples loses at
 * most 200 ms of its time).
 */
export class CpuMeter {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private stoppedAt = 0;

  constructor(
    private readonly roots: () => number[],
    private readonly filter: (command: string) => boolean = () => true,
  ) {}

  start(): void {
    this.startedAt = Date.now();
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), 200);
  }

  stop(): { cpuSeconds: number; wallSeconds: number; byCommand: Map<string, number> } {
    if (this.timer) clearInterval(this.timer);
    this.sample(false);
    this.stoppedAt = Date.now();
    const byCommand = new Map<string, number>();
    let total = 0;
    for (const [pid, last] of this.last) {
      const used = last - (this.first.get(pid) ?? 0);
      total += used;
      const key = this.commands.get(pid) ?? String(pid);
      byCommand.set(key, (byCommand.get(key) ?? 0) + used);
    }
    return { cpuSeconds: total, wallSeconds: (this.stoppedAt - this.startedAt) / 1000, byCommand };
  }

  private readonly commands = new Map<number, string>();

  private sample(initial: boolean): void {
    for (const [pid, sample] of processTree(this.roots())) {
      if (!this.filter(sample.command)) continue;
      // A process first seen after the start was born inside the window: all its time counts.
      if (!this.first.has(pid)) this.first.set(pid, initial ? sample.cpuSeconds : 0);
      this.last.set(pid, sample.cpuSeconds);
      this.commands.set(pid, label(sample.command));
    }
  }
}

/** A short name for a command line: the service, or ffmpeg's role. */
export function label(command: string): string {
  const service = /dist\/apps\/(\w+)\/src\/main\.js/.exec(command);
  if (service) return service[1]!;
  if (command.includes('ffmpeg')) {
    if (command.includes('-f segment')) return 'ffmpeg:recorder';
    if (command.includes('-filter_complex')) return 'ffmpeg:transcoder';
    if (command.includes('-c copy')) return 'ffmpeg:relay';
    return 'ffmpeg:other';
  }
  if (command.includes('nginx')) return 'nginx-rtmp';
  return command.split(' ')[0] ?? command;
}
