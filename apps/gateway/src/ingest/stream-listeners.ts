import { Injectable } from '@nestjs/common';

/**
 * Which DJ stream names have an internal player (the transcoder) waiting in nginx-rtmp, fed by the
 * `ingest.player-*` events of every gateway replica. Lets on_publish wait for the transcoder.
 */
@Injectable()
export class StreamListeners {
  private readonly players = new Map<string, number>();
  private readonly waiters = new Map<string, Set<() => void>>();

  attached(app: string, streamName: string): void {
    const key = `${app}/${streamName}`;
    this.players.set(key, (this.players.get(key) ?? 0) + 1);
    for (const wake of this.waiters.get(key) ?? []) wake();
    this.waiters.delete(key);
  }

  detached(app: string, streamName: string): void {
    const key = `${app}/${streamName}`;
    const count = (this.players.get(key) ?? 0) - 1;
    if (count > 0) this.players.set(key, count);
    else this.players.delete(key);
  }

  /**
   * `result` resolves true once a player listens on the stream (at once if one already does), false
   * on timeout or cancel. Cancel it when the publish is refused, so no timer is left behind.
   */
  waitForListener(app: string, streamName: string, timeoutMs: number): { result: Promise<boolean>; cancel: () => void } {
    const key = `${app}/${streamName}`;
    if (this.players.has(key)) return { result: Promise.resolve(true), cancel: () => undefined };
    let cancel: () => void = () => undefined;
    const result = new Promise<boolean>((resolve) => {
      const waiters = this.waiters.get(key) ?? new Set<() => void>();
      this.waiters.set(key, waiters);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        waiters.delete(wake);
        resolve(false);
      }, timeoutMs);
      cancel = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve(false);
      };
      waiters.add(wake);
    });
    return { result, cancel };
  }
}
