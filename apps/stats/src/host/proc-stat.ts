/** One CPU's counters from /proc/stat, in clock ticks since boot. */
export interface CpuTimes {
  busy: number;
  total: number;
}

/**
 * The counters of /proc/stat: the first entry is all cores together (`cpu`), then one per core
 * (`cpu0`, `cpu1`...). Idle time is `idle` + `iowait`; guest time is already inside `user`/`nice`.
 */
export function parseProcStat(text: string): { all: CpuTimes; cores: CpuTimes[] } | null {
  let all: CpuTimes | null = null;
  const cores: CpuTimes[] = [];
  for (const line of text.split('\n')) {
    const match = /^cpu(\d*)\s+(.*)$/.exec(line);
    if (!match) continue;
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = match[2]!.trim().split(/\s+/).map(Number);
    const idleTime = idle + iowait;
    const total = user + nice + system + idleTime + irq + softirq + steal;
    const times = { busy: total - idleTime, total };
    if (match[1] === '') all = times;
    else cores.push(times);
  }
  return all ? { all, cores } : null;
}

/** Busy share between two readings, 0–100; null when no time passed. */
export function busyPercent(before: CpuTimes, after: CpuTimes): number | null {
  const total = after.total - before.total;
  if (total <= 0) return null;
  return Math.min(100, Math.max(0, Math.round(((after.busy - before.busy) / total) * 1000) / 10));
}

/** MemTotal and MemAvailable of /proc/meminfo, in bytes (the file says kB, meaning KiB). */
export function parseMeminfo(text: string): { totalBytes: number; availableBytes: number } | null {
  const kib = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : null;
  };
  const totalBytes = kib('MemTotal');
  const availableBytes = kib('MemAvailable');
  return totalBytes === null || availableBytes === null ? null : { totalBytes, availableBytes };
}
