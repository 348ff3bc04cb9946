import { readFileSync } from 'node:fs';
import { allProcesses, type ProcSample } from '@streamcaster/testing';

export interface CpuMeasurement {
  cpuSeconds: number;
  wallSeconds: number;
  /** CPU seconds per label (see `label`). */
  byCommand: Map<string, number>;
  /** How many distinct processes each label had in the window. */
  processesByCommand: Map<string, number>;
  /** CPU seconds of the whole machine (every process, ours or not) over the same window. */
  machineCpuSeconds: number;
}

const TICKS_PER_SECOND = 100; // Linux USER_HZ

/** Busy CPU seconds of the whole machine since boot, from the first line of /proc/stat. */
export function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are not work, steal is the hypervisor's.
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = fields;
  return (user + nice + system + irq + softirq) / TICKS_PER_SECOND;
}

/**
 * CPU seconds (utime + stime from /proc/<pid>/stat) used by a set of processes over a window.
 * Sampled every 200 ms, so that processes that start or end inside the window are counted too (a
 * process ending between two samples loses at most 200 ms of its time).
 */
export class CpuMeter {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly commands = new Map<number, string>();
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private stoppedAt = 0;
  private machineAtStart = 0;

  /** `roots` and all their descendants are measured, plus every other process that `include` accepts. */
  constructor(
    private readonly roots: () => number[],
    private readonly include: (command: string) => boolean = () => false,
  ) {}

  start(): void {
    this.startedAt = Date.now();
    this.machineAtStart = machineBusySeconds();
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), 200);
  }

  stop(): CpuMeasurement {
    if (this.timer) clearInterval(this.timer);
    this.sample(false);
    this.stoppedAt = Date.now();
    const machineCpuSeconds = machineBusySeconds() - this.machineAtStart;
    const byCommand = new Map<string, number>();
    const processesByCommand = new Map<string, number>();
    let total = 0;
    for (const [pid, last] of this.last) {
      const used = last - (this.first.get(pid) ?? 0);
      total += used;
      const key = this.commands.get(pid) ?? String(pid);
      byCommand.set(key, (byCommand.get(key) ?? 0) + used);
      processesByCommand.set(key, (processesByCommand.get(key) ?? 0) + 1);
    }
    return { cpuSeconds: total, wallSeconds: (this.stoppedAt - this.startedAt) / 1000, byCommand, processesByCommand, machineCpuSeconds };
  }

  private sample(initial: boolean): void {
    // One pass over /proc per sample: the meter's own cost stays small and the same in every window.
    const processes = allProcesses();
    const measured = descendants(processes, this.roots());
    for (const [pid, sample] of processes) if (this.include(sample.command)) measured.add(pid);
    for (const pid of measured) {
      const sample = processes.get(pid)!;
      // A process first seen after the start was born inside the window: all its time counts.
      if (!this.first.has(pid)) this.first.set(pid, initial ? sample.cpuSeconds : 0);
      this.last.set(pid, sample.cpuSeconds);
      this.commands.set(pid, label(sample.command));
    }
  }
}

export type FfmpegRole = 'transcoder' | 'relay' | 'recorder' | 'other';

/**
 * What an ffmpeg of ours does, from its command line: the transcoder reads the DJ's ingest
 * (`/live/` or `/test/`); a relay reads the program (`/program/<id>`) and pushes it to an RTMP(S)
 * URL elsewhere; the recorder reads the program and writes segment files.
 */
export function ffmpegRole(command: string): FfmpegRole {
  const words = command.split(' ');
  const input = words[words.indexOf('-i') + 1] ?? '';
  const output = words.at(-1) ?? '';
  if (/\/(live|test)\//.test(input)) return 'transcoder';
  if (input.includes('/program/')) {
    if (/^rtmps?:\/\//.test(output) && !output.includes('/program/')) return 'relay';
    if (words.includes('segment')) return 'recorder';
  }
  return 'other';
}

/** A short name for a command line: the service, or ffmpeg's role. */
export function label(command: string): string {
  const service = /dist\/apps\/(\w+)\/src\/main\.js/.exec(command);
  if (service) return service[1]!;
  if (command.includes('ffmpeg')) return `ffmpeg:${ffmpegRole(command)}`;
  if (command.includes('nginx')) return 'nginx-rtmp';
  return command.split(' ')[0] ?? command;
}

/**
 * Whether a command line is a relay ffmpeg reading a program from the nginx-rtmp at `rtmpPort`,
 * whichever process started it: relays are found by what they do, not by their parent.
 */
export function isRelayOf(rtmpPort: number): (command: string) => boolean {
  return (command) => label(command) === 'ffmpeg:relay' && command.includes(`:${rtmpPort}/program/`);
}


/** The roots (those still in the sample) and every process below them. */
export function descendants(processes: Map<number, ProcSample>, roots: number[]): Set<number> {
  const tree = new Set(roots.filter((pid) => processes.has(pid)));
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, sample] of processes) {
      if (!tree.has(pid) && tree.has(sample.ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return tree;
}
