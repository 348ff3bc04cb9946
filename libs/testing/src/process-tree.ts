import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // Linux USER_HZ on every architecture we run on

export interface ProcSample {
  ppid: number;
  cpuSeconds: number;
  rssBytes: number;
  command: string;
}

export function readProc(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name sits in parentheses and may hold spaces: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const cpuTicks = Number(fields[11]) + Number(fields[12]);
    const rssPages = Number(fields[21]);
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
    return { ppid, cpuSeconds: cpuTicks / TICKS_PER_SECOND, rssBytes: rssPages * 4096, command };
  } catch {
    return null;
  }
}

/** Every process of the machine, as it is now. */
export function allProcesses(): Map<number, ProcSample> {
  const processes = new Map<number, ProcSample>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const sample = readProc(Number(name));
    if (sample) processes.set(Number(name), sample);
  }
  return processes;
}

/** The given processes and all their descendants, as they are now. */
export function processTree(roots: number[]): Map<number, ProcSample> {
  const processes = allProcesses();
  const inTree = new Set(roots.filter((pid) => processes.has(pid)));
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, sample] of processes) {
      if (!inTree.has(pid) && inTree.has(sample.ppid)) {
        inTree.add(pid);
        grew = true;
      }
    }
  }
  return new Map([...processes].filter(([pid]) => inTree.has(pid)));
}

export function rssOf(pid: number): number {
  return readProc(pid)?.rssBytes ?? 0;
}

