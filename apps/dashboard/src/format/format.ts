// How figures read on the dashboard: one spelling each, so a bitrate looks the same on every page.

const DASH = '—';

/** 4500 → "4.50 Mb/s", 320 → "320 kb/s"; null (not measured yet) → "—", never "0". */
export function formatBitrate(kbps: number | null | undefined): string {
  if (kbps === null || kbps === undefined || !Number.isFinite(kbps)) return DASH;
  if (kbps >= 1000) return `${(kbps / 1000).toFixed(2)} Mb/s`;
  return `${Math.round(kbps)} kb/s`;
}

const BYTE_UNITS = ['B', 'kB', 'MB', 'GB', 'TB'] as const;

/** Decimal units, as disks and browsers count: 1_500_000 → "1.5 MB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return DASH;
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < BYTE_UNITS.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}

/** A length of time: 59 → "59 s", 61 → "1:01", 3725 → "1:02:05". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return DASH;
  const whole = Math.floor(seconds);
  if (whole < 60) return `${whole} s`;
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  const pad = (value: number) => String(value).padStart(2, '0');
  return hours > 0 ? `${hours}:${pad(minutes)}:${pad(rest)}` : `${minutes}:${pad(rest)}`;
}

/** Time since `since` (ISO) at `now`; "—" when it has not started. A clock ahead of the server reads 0. */
export function formatUptime(since: string | null | undefined, now: number): string {
  if (!since) return DASH;
  const started = Date.parse(since);
  if (Number.isNaN(started)) return DASH;
  return formatDuration(Math.max(0, (now - started) / 1000));
}

export function formatFps(fps: number | null | undefined): string {
  return fps === null || fps === undefined || !Number.isFinite(fps) ? DASH : `${fps.toFixed(fps >= 10 ? 0 : 1)} fps`;
}

/** The encoder's speed against real time: 1.00× keeps up, below it falls behind. */
export function formatSpeed(speed: number | null | undefined): string {
  return speed === null || speed === undefined || !Number.isFinite(speed) ? DASH : `${speed.toFixed(2)}×`;
}

export function formatPercent(percent: number | null | undefined): string {
  return percent === null || percent === undefined || !Number.isFinite(percent) ? DASH : `${Math.round(percent)} %`;
}

/** A moment in the viewer's own time zone: "2026-03-14 19:05". */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return DASH;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return DASH;
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** How far into a broadcast a moment is, as a tracklist's cue: 3725 s → "01:02:05"; before the start reads 00:00:00. */
export function formatOffset(fromIso: string, atIso: string): string {
  const seconds = (Date.parse(atIso) - Date.parse(fromIso)) / 1000;
  if (!Number.isFinite(seconds)) return DASH;
  const whole = Math.max(0, Math.floor(seconds));
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(Math.floor(whole / 3600))}:${pad(Math.floor((whole % 3600) / 60))}:${pad(whole % 60)}`;
}

/** A moment's local clock time to the second: "19:05:07". */
export function formatClockTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return DASH;
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** A count (viewers, API units): 12345 → "12,345"; null (nobody reported it) → "—", never "0". */
export function formatCount(count: number | null | undefined): string {
  return count === null || count === undefined || !Number.isFinite(count) ? DASH : COUNT.format(count);
}
