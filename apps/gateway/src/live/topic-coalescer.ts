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
 * that matters) and goes out when the interval is up; an urgent one (a destination changed state,
 * the state sent on subscribing) goes out at once, takes the held one's place and is not counted.
 *
 * Why urgent messages do not open the window, and why the window is a tenth shorter than the
 * interval: the stats snapshots come exactly once a second. A window opened by the subscription's
 * first message, or one that is exactly as long as the snapshots' period, would hold every later
 * snapshot by the same random phase (up to a second, measured 0.55-0.9 s); with the tenth of slack
 * timer jitter cannot hold a once-a-second stream back, and a held phase melts away in a few seconds.
 */
export class TopicCoalescer<T> {
  private readonly windows = new Map<string, TopicWindow<T>>();
  private readonly windowMs: number;

  constructor(
    private readonly send: (topic: string, message: T) => void,
    intervalMs = 1_000,
    private readonly clock: CoalescerClock = systemClock,
  ) {
    this.windowMs = intervalMs * 0.9;
  }

  offer(topic: string, message: T, urgent = false): void {
    const now = this.clock.now();
    const window = this.windows.get(topic);
    if (urgent) {
      this.dropHeld(window);
      this.send(topic, message);
      return;
    }
    if (!window || now - window.sentAt >= this.windowMs) {
      this.sendNow(topic, message, window, now);
      return;
    }
    window.pending = message;
    window.timer ??= this.clock.setTimeout(() => this.flush(topic), window.sentAt + this.windowMs - now);
  }

  /** Unsubscribed: nothing held back for it goes out. */
  forget(topic: string): void {
    this.dropHeld(this.windows.get(topic));
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
    this.dropHeld(window);
    this.windows.set(topic, { sentAt: now });
    this.send(topic, message);
  }

  private dropHeld(window: TopicWindow<T> | undefined): void {
    if (!window) return;
    if (window.timer !== undefined) this.clock.clearTimeout(window.timer);
    window.timer = undefined;
    window.pending = undefined;
  }
}
