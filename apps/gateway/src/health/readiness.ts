/**
 * The readiness verdict, apart from what is checked: each check is a function that resolves when
 * its component answers and rejects (or takes too long) when it does not.
 */
export type Check = () => Promise<void>;
export type CheckState = 'ok' | 'not answering';

export interface CheckOutcome {
  state: CheckState;
  /** Why it failed, for the log; never shown in the answer. */
  cause?: string;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, CheckState>;
  /** `not ready: publisher, recorder`, in the order the checks were given. */
  message: string;
  causes: Record<string, string>;
}

/** Runs every check at once, each bounded by `timeoutMs`, and never rejects. */
export async function runChecks(checks: Record<string, Check>, timeoutMs: number): Promise<ReadinessReport> {
  const names = Object.keys(checks);
  const outcomes = await Promise.all(names.map((name) => outcomeOf(checks[name]!, timeoutMs)));
  const states: Record<string, CheckState> = {};
  const causes: Record<string, string> = {};
  names.forEach((name, index) => {
    const outcome = outcomes[index]!;
    states[name] = outcome.state;
    if (outcome.cause !== undefined) causes[name] = outcome.cause;
  });
  const missing = names.filter((name) => states[name] !== 'ok');
  return {
    ready: missing.length === 0,
    checks: states,
    message: missing.length === 0 ? 'ready' : `not ready: ${missing.join(', ')}`,
    causes,
  };
}

async function outcomeOf(check: Check, timeoutMs: number): Promise<CheckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    // The check itself may go on in the background; its late result is ignored.
    await Promise.race([check(), deadline]);
    return { state: 'ok' };
  } catch (error) {
    return { state: 'not answering', cause: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
