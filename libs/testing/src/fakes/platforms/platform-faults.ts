/**
 * How a platform in trouble answers: a 500 in the platform's own error shape, a proxy's HTML page,
 * or no answer at all (the client's timeout has to end it). Fakes may add their own (Kick's
 * Cloudflare block, a 429).
 */
export type PlatformFault = 'server-error' | 'html' | 'hang';

export interface PlannedFault<Fault extends string> {
  fault: Fault;
  /** Only this call (the fake's own call name) meets the fault; any call when unset. */
  call?: string;
  /**
   * The platform does the work, then its answer is lost (a 500 or a timeout after the live video
   * was created): what a client that retries must not do twice.
   */
  afterDoing: boolean;
}

/** Faults planned for a fake's next calls, each met once, in order. */
export class PlatformFaults<Fault extends string = PlatformFault> {
  private readonly planned: Array<PlannedFault<Fault>> = [];

  plan(fault: Fault, options: { call?: string; afterDoing?: boolean } = {}): void {
    this.planned.push({ fault, call: options.call, afterDoing: options.afterDoing ?? false });
  }

  /**
   * The fault that this call meets at this moment (before its work, or after it with `afterDoing`),
   * taken off the plan; undefined for a normal answer.
   */
  take(call: string, afterDoing: boolean): PlannedFault<Fault> | undefined {
    const index = this.planned.findIndex((planned) => (planned.call === undefined || planned.call === call) && planned.afterDoing === afterDoing);
    if (index < 0) return undefined;
    return this.planned.splice(index, 1)[0];
  }

  clear(): void {
    this.planned.length = 0;
  }
}
