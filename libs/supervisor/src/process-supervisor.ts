import { spawn, spawnSync, type ChildProcess, type StdioOptions } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { EventEmitter } from 'node:events';
import { createConnection } from 'node:net';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { LineSplitter } from './line-splitter.js';

export type SupervisedState = 'idle' | 'starting' | 'running' | 'backoff' | 'stopping' | 'stopped' | 'failed';
export type RestartPolicy = 'always' | 'on-failure' | 'never';

export type Readiness =
  /** Ready as soon as the process was spawned. */
  | { kind: 'spawned' }
  /** Ready when a line of stdout or stderr matches. */
  | { kind: 'line'; pattern: RegExp }
  /** Ready when a TCP port accepts connections. */
  | { kind: 'tcp'; host: string; port: number };

export interface SupervisedProcessOptions {
  /** Shown in logs and errors, e.g. `relay:youtube-main`. */
  name: string;
  command: string;
  /** Evaluated at every (re)start, so a restart can pick up new arguments. */
  args: readonly string[] | (() => readonly string[]);
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  restart?: RestartPolicy;
  backoff?: BackoffPolicy;
  readiness?: Readiness;
  /** How long to wait for readiness before the attempt counts as failed. */
  readyTimeoutMs?: number;
  /** Signal for a graceful stop; SIGKILL follows after `stopTimeoutMs`. */
  stopSignal?: NodeJS.Signals;
  stopTimeoutMs?: number;
  /**
   * Send the stop signal once more after this delay. ffmpeg needs it: once it is transcoding, its
   * first signal only sets a flag that a read blocked on a stalled live input never gets to see;
   * the second one interrupts the read, and ffmpeg still flushes and writes its trailer.
   */
  repeatStopSignalAfterMs?: number;
  /** Lines of stderr kept to explain a failure. */
  stderrTailLines?: number;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Last lines of stderr, to tell why it exited. */
  stderrTail: string[];
  /** Whether the supervisor asked for it. */
  requested: boolean;
}

interface SupervisedProcessEvents {
  state: [state: SupervisedState];
  line: [stream: 'stdout' | 'stderr', line: string];
  ready: [];
  exit: [info: ExitInfo];
  restartScheduled: [delayMs: number, attempt: number];
}

/** Every child still alive, so that a dying parent can take them along (no orphans). */
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;
export function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of liveChildren) signalGroup(child, 'SIGKILL');
  });
}

/**
 * Children lead their own process group, so a signal reaches what they started too (nginx workers,
 * a shell's jobs): stopping one never leaves a grandchild behind holding its pipes.
 */
export function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}

/** Where a command lives, as spawn would find it; null when it does not exist or cannot run. */
export function resolveCommand(command: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const executable = (path: string) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (command.includes('/')) return executable(command) ? command : null;
  for (const directory of (env.PATH ?? '').split(delimiter)) {
    if (!directory || !isAbsolute(directory)) continue;
    const candidate = join(directory, command);
    if (executable(candidate)) return candidate;
  }
  return null;
}

/**
 * `setpriv --pdeathsig` makes the kernel kill the child when its parent dies, even by SIGKILL, where
 * no exit hook runs. Used when util-linux provides it (Debian does).
 */
let pdeathsigWrapper: string | null | undefined;
function findPdeathsigWrapper(): string | null {
  if (pdeathsigWrapper === undefined) {
    const probe = spawnSync('setpriv', ['--pdeathsig', 'KILL', '--', 'true'], { stdio: 'ignore' });
    pdeathsigWrapper = probe.status === 0 ? 'setpriv' : null;
  }
  return pdeathsigWrapper;
}

/**
 * Spawns a child the way every child of ours must be spawned: checked to exist, in a process group of
 * its own, killed by the kernel if we die (setpriv), and by our exit hook otherwise. Throws when the
 * command does not exist: behind the setpriv wrapper it would otherwise look like a started one.
 */
export function spawnChild(
  name: string,
  commandName: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; stdio: StdioOptions },
): ChildProcess {
  const env = options.env ?? process.env;
  const resolved = resolveCommand(commandName, env);
  if (!resolved) throw new Error(`${name}: command not found or not executable: ${commandName}`);
  installExitHook();
  const wrapper = findPdeathsigWrapper();
  const [command, argv] = wrapper ? [wrapper, ['--pdeathsig', 'KILL', '--', resolved, ...args]] : [resolved, [...args]];
  const child = spawn(command, argv, { env, cwd: options.cwd, stdio: options.stdio, detached: true });
  liveChildren.add(child);
  child.once('close', () => liveChildren.delete(child));
  return child;
}

/**
 * Runs one child process and keeps it running: start, readiness, line-by-line output, graceful stop
 * then kill, restart with exponential backoff. The one abstraction for ffmpeg, nginx, stunnel, services.
 */
export class SupervisedProcess extends EventEmitter<SupervisedProcessEvents> {
  private child: ChildProcess | null = null;
  private currentState: SupervisedState = 'idle';
  private attempt = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopRequested = false;
  /** Set by restartNow(): the next exit is ours, and the restart follows without delay. */
  private restartImmediately = false;
  private startedAt = 0;
  private readonly stderrTail: string[] = [];
  private exited: Promise<void> = Promise.resolve();
  private readonly options: Required<Omit<SupervisedProcessOptions, 'env' | 'cwd' | 'repeatStopSignalAfterMs'>> &
    Pick<SupervisedProcessOptions, 'env' | 'cwd' | 'repeatStopSignalAfterMs'>;
  /** Restarts performed so far (not counting the first start). */
  restarts = 0;

  constructor(options: SupervisedProcessOptions) {
    super();
    this.options = {
      restart: 'on-failure',
      backoff: DEFAULT_BACKOFF,
      readiness: { kind: 'spawned' },
      readyTimeoutMs: 15_000,
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 5_000,
      stderrTailLines: 20,
      ...options,
    };
    installExitHook();
  }

  get state(): SupervisedState {
    return this.currentState;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get name(): string {
    return this.options.name;
  }

  /** Starts the process; resolves once it is ready the first time, rejects if that attempt fails. */
  start(): Promise<void> {
    if (this.currentState !== 'idle' && this.currentState !== 'stopped' && this.currentState !== 'failed') {
      return Promise.reject(new Error(`${this.options.name}: already ${this.currentState}`));
    }
    this.stopRequested = false;
    this.attempt = 0;
    return this.spawnOnce();
  }

  /** Stops for good: no restart. Resolves when the process is gone. */
  async stop(): Promise<void> {
    const child = this.giveUp();
    if (!child) return;
    signalGroup(child, this.options.stopSignal);
    const repeat = this.options.repeatStopSignalAfterMs;
    const repeatTimer = repeat === undefined ? undefined : setTimeout(() => signalGroup(child, this.options.stopSignal), repeat);
    const killTimer = setTimeout(() => signalGroup(child, 'SIGKILL'), this.options.stopTimeoutMs);
    try {
      await this.exited;
    } finally {
      clearTimeout(repeatTimer);
      clearTimeout(killTimer);
    }
  }

  /**
   * Kills at once, without the graceful stop: for a process that must not run one moment longer
   * (its owner just lost the right to run it). No restart. Resolves when it is gone.
   */
  async kill(): Promise<void> {
    const child = this.giveUp();
    if (!child) return;
    signalGroup(child, 'SIGKILL');
    await this.exited;
  }

  /** No more restarts; the child still to be ended (now `stopping`), or null when none runs. */
  private giveUp(): ChildProcess | null {
    this.stopRequested = true;
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.restartTimer = null;
    }
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.setState('stopped');
      return null;
    }
    this.setState('stopping');
    return child;
  }

  /**
   * Cuts a running backoff short: restart at once, and count the backoff from its start again. For a
   * process that waits because what it depends on was gone and is known to be back (a relay whose
   * program stream restarted). Does nothing unless the process is waiting for its restart.
   */
  retryNow(): void {
    if (this.currentState !== 'backoff' || this.stopRequested || !this.restartTimer) return;
    clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.attempt = 0;
    this.restarts += 1;
    this.spawnOnce().catch(() => undefined);
  }

  /**
   * Kills the running child (SIGKILL: an ffmpeg blocked on a stalled read ignores its first SIGTERM)
   * and starts a new one at once, without counting it as a failure. For a process whose input is
   * known to be stuck (the DJ's stream stalled) and that should start over to pick up the next one.
   * False when no child runs (stopped, or waiting for its restart anyway).
   */
  restartNow(): boolean {
    const child = this.child;
    if (this.stopRequested || !child || child.exitCode !== null || child.signalCode !== null) return false;
    this.restartImmediately = true;
    signalGroup(child, 'SIGKILL');
    return true;
  }

  /**
   * Writes to the running child's stdin (ffmpeg's command console, for one). False when no child
   * runs: what was meant for this run is not kept for the next one.
   */
  write(text: string): boolean {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null || !child.stdin?.writable) return false;
    child.stdin.write(text);
    return true;
  }

  /** Forgets earlier failures, so that the next restart waits the shortest delay again. */
  resetBackoff(): void {
    this.attempt = 0;
  }

  private spawnOnce(): Promise<void> {
    this.setState('starting');
    this.stderrTail.length = 0;
    const args = typeof this.options.args === 'function' ? this.options.args() : this.options.args;
    let child: ChildProcess;
    try {
      child = spawnChild(this.options.name, this.options.command, args, { env: this.options.env, cwd: this.options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (error) {
      this.setState('failed');
      return Promise.reject(error as Error);
    }
    this.child = child;
    this.startedAt = Date.now();

    let resolveExit!: () => void;
    this.exited = new Promise((resolve) => (resolveExit = resolve));

    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(readyTimer);
        if (error) {
          reject(error);
          return;
        }
        this.setState('running');
        this.emit('ready');
        resolve();
      };
      const readyTimer = setTimeout(() => {
        settle(new Error(`${this.options.name}: not ready within ${this.options.readyTimeoutMs} ms`));
        signalGroup(child, 'SIGKILL');
      }, this.options.readyTimeoutMs);

      const readiness = this.options.readiness;
      const onLine = (stream: 'stdout' | 'stderr') => (line: string) => {
        if (stream === 'stderr') this.rememberStderr(line);
        this.emit('line', stream, line);
        if (readiness.kind === 'line' && readiness.pattern.test(line)) settle();
      };
      const stdout = new LineSplitter(onLine('stdout'));
      const stderr = new LineSplitter(onLine('stderr'));
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
      child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
      // A child that exits while we write to it must not crash the parent with EPIPE.
      child.stdin?.on('error', () => undefined);

      child.once('spawn', () => {
        if (readiness.kind === 'spawned') settle();
        if (readiness.kind === 'tcp') void this.waitForPort(readiness, child).then(
            () => settle(),
            (error: Error) => settle(error),
          );
      });
      child.once('error', (error) => {
        // Spawn failures (ENOENT...) come here and there is no 'exit' after them in some cases.
        this.rememberStderr(error.message);
        settle(new Error(`${this.options.name}: ${error.message}`));
      });
      child.once('close', (code, signal) => {
        // The leader is gone; whatever it started (nginx's workers) must not hold its ports or pipes.
        signalGroup(child, 'SIGKILL');
        stdout.flush();
        stderr.flush();
        if (this.child === child) this.child = null;
        const info: ExitInfo = { code, signal, stderrTail: [...this.stderrTail], requested: this.stopRequested };
        settle(new Error(`${this.options.name} exited (${describeExit(info)}) before it was ready`));
        this.emit('exit', info);
        resolveExit();
        this.afterExit(info);
      });
    });
  }

  private afterExit(info: ExitInfo): void {
    if (this.stopRequested) {
      this.setState('stopped');
      return;
    }
    const failed = info.code !== 0;
    const policy = this.options.restart;
    if (policy === 'never' || (policy === 'on-failure' && !failed)) {
      this.setState(failed ? 'failed' : 'stopped');
      return;
    }
    if (Date.now() - this.startedAt >= this.options.backoff.resetAfterMs || this.restartImmediately) this.attempt = 0;
    const delay = this.restartImmediately ? 0 : backoffDelay(this.options.backoff, this.attempt);
    this.restartImmediately = false;
    this.attempt += 1;
    this.setState('backoff');
    this.emit('restartScheduled', delay, this.attempt);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (this.stopRequested) return;
      this.restarts += 1;
      // A failed restart is handled by its own exit; nothing to do with the promise here.
      this.spawnOnce().catch(() => undefined);
    }, delay);
  }

  private async waitForPort(target: { host: string; port: number }, child: ChildProcess): Promise<void> {
    while (child.exitCode === null && child.signalCode === null) {
      const open = await new Promise<boolean>((resolve) => {
        const socket = createConnection(target.port, target.host);
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      if (open) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${this.options.name} exited while waiting for ${target.host}:${target.port}`);
  }

  private rememberStderr(line: string): void {
    if (!line.trim()) return;
    this.stderrTail.push(line);
    if (this.stderrTail.length > this.options.stderrTailLines) this.stderrTail.shift();
  }

  private setState(state: SupervisedState): void {
    if (state === this.currentState) return;
    this.currentState = state;
    this.emit('state', state);
  }
}

export function describeExit(info: Pick<ExitInfo, 'code' | 'signal' | 'stderrTail'>): string {
  const how = info.signal ? `signal ${info.signal}` : `code ${info.code}`;
  const why = info.stderrTail.at(-1);
  return why ? `${how}: ${why}` : how;
}
