/** The timers a coalescer uses; the unit tests drive them by hand. */
export interface CoalescerClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: CoalescerClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface TopicWindow<T> {
  /** When the last message of this topic went out. */
  sentAt: number;
  /** The newest message held back, sent when the window is over. */
  pending?: T;
  timer?: unknown;
}

/**
 * At most one message per topic per interval for one client. A message that comes inside the
 * interval replaces the one held back (each message is a topic's whole state, so the latest is all
 * that matters) and goes out when the interval is up; an urgent one (a destination changed state)
 * goes out at once and takes the held one's place.
 */
export class TopicCoalescer<T> {
  private readonly windows = new Map<string, TopicWindow<T>>();

  constructor(
    private readonly send: (topic: string, message: T) => void,
    private readonly intervalMs = 1_000,
    private readonly clock: CoalescerClock = systemClock,
  ) {}

  offer(topic: string, message: T, urgent = false): void {
    const now = this.clock.now();
    const window = this.windows.get(topic);
    if (!window || urgent || now - window.sentAt >= this.intervalMs) {
      this.sendNow(topic, message, window, now);
      return;
    }
    window.pending = message;
    window.timer ??= this.clock.setTimeout(() => this.flush(topic), window.sentAt + this.intervalMs - now);
  }

  /** Unsubscribed: nothing held back for it goes out. */
  forget(topic: string): void {
    const window = this.windows.get(topic);
    if (window?.timer !== undefined) this.clock.clearTimeout(window.timer);
    this.windows.delete(topic);
  }

  dispose(): void {
    for (const topic of [...this.windows.keys()]) this.forget(topic);
  }

  private flush(topic: string): void {
    const window = this.windows.get(topic);
    if (!window) return;
    window.timer = undefined;
    const message = window.pending;
    if (message === undefined) return;
    this.sendNow(topic, message, window, this.clock.now());
  }

  private sendNow(topic: string, message: T, window: TopicWindow<T> | undefined, now: number): void {
    if (window?.timer !== undefined) this.clock.clearTimeout(window.timer);
    this.windows.set(topic, { sentAt: now });
    this.send(topic, message);
  }
}
