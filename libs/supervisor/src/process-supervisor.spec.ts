import { describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { BackoffPolicy } from './backoff.js';
import { describeExit, SupervisedProcess, type ExitInfo, type SupervisedProcessOptions, type SupervisedState } from './process-supervisor.js';

const NODE = process.execPath;
/** Small enough that a few restarts fit in a test, large enough to tell the doubling apart. */
const FAST_BACKOFF: BackoffPolicy = { initialMs: 50, maxMs: 150, resetAfterMs: 60_000 };
/** A broken test must fail, not hang the run. */
const LIMIT = { timeout: 5_000 };

function supervise(t: TestContext, options: Omit<SupervisedProcessOptions, 'name'> & { name?: string }): SupervisedProcess {
  const supervised = new SupervisedProcess({ name: `test:${t.name}`, backoff: FAST_BACKOFF, ...options });
  t.after(() => supervised.stop());
  return supervised;
}

function nextExit(supervised: SupervisedProcess): Promise<ExitInfo> {
  return new Promise((resolve) => supervised.once('exit', resolve));
}

function linesOf(supervised: SupervisedProcess, stream: 'stdout' | 'stderr' = 'stdout'): string[] {
  const lines: string[] = [];
  supervised.on('line', (from, line) => {
    if (from === stream) lines.push(line);
  });
  return lines;
}

/** A direct child is reaped by Node before 'exit' is emitted, so its pid must be gone entirely. */
function assertReaped(pid: number | undefined): void {
  assert.ok(pid !== undefined, 'the child had a pid');
  assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `process ${pid} is still there`);
}

/**
 * For a grandchild, which init reaps (or, in some containers, leaves as a zombie): alive means it
 * exists and is not a zombie.
 */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw error;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  return port;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('SupervisedProcess readiness', () => {
  it('is ready only once a stdout line matches the pattern', LIMIT, async (t) => {
    const supervised = supervise(t, {
      command: NODE,
      args: ['-e', "console.log('booting'); setTimeout(() => console.log('listening on 1935'), 200); setInterval(() => {}, 1000);"],
      readiness: { kind: 'line', pattern: /listening on \d+/ },
      restart: 'never',
    });
    const events: string[] = [];
    supervised.on('line', (stream, line) => events.push(`${stream}:${line}`));
    supervised.on('ready', () => events.push('ready'));

    const started = supervised.start();
    assert.equal(supervised.state, 'starting');
    await started;

    assert.equal(supervised.state, 'running');
    assert.deepEqual(events, ['stdout:booting', 'stdout:listening on 1935', 'ready']);
  });

  it('also matches readiness lines on stderr (where nginx and ffmpeg log)', LIMIT, async (t) => {
    const supervised = supervise(t, {
      command: NODE,
      args: ['-e', "setTimeout(() => console.error('server started'), 100); setInterval(() => {}, 1000);"],
      readiness: { kind: 'line', pattern: /started/ },
      restart: 'never',
    });
    const stderr = linesOf(supervised, 'stderr');
    await supervised.start();
    assert.equal(supervised.state, 'running');
    assert.deepEqual(stderr, ['server started']);
  });

  it('is ready only once the TCP port accepts connections', LIMIT, async (t) => {
    const port = await freePort();
    const supervised = supervise(t, {
      command: NODE,
      args: [
        '-e',
        `setTimeout(() => require('node:net').createServer((socket) => socket.end()).listen(${port}, '127.0.0.1'), 300);`,
      ],
      readiness: { kind: 'tcp', host: '127.0.0.1', port },
      restart: 'never',
    });
    assert.equal(await canConnect(port), false, 'nothing listens before the child starts');
    await supervised.start();
    assert.equal(supervised.state, 'running');
    assert.equal(await canConnect(port), true, 'the port is open once start() resolved');
  });

  it('rejects start() when the child exits before its TCP port opens', LIMIT, async (t) => {
    const port = await freePort();
    const supervised = supervise(t, {
      command: NODE,
      args: ['-e', "setTimeout(() => { console.error('cannot bind'); process.exit(4); }, 100);"],
      readiness: { kind: 'tcp', host: '127.0.0.1', port },
      restart: 'never',
    });
    const exited = nextExit(supervised);
    await assert.rejects(supervised.start(), /exited/);
    const info = await exited;
    assert.equal(info.code, 4);
    assert.equal(supervised.state, 'failed');
  });

  it('fails the attempt and kills the child when it is not ready in time', LIMIT, async (t) => {
    const supervised = supervise(t, {
      command: NODE,
      args: ['-e', "console.log('still loading'); setInterval(() => {}, 1000);"],
      readiness: { kind: 'line', pattern: /never printed/ },
      readyTimeoutMs: 300,
      restart: 'never',
    });
    const exited = nextExit(supervised);
    const started = supervised.start();
    const pid = supervised.pid;

    await assert.rejects(started, { message: `test:${t.name}: not ready within 300 ms` });
    const info = await exited;
    assert.equal(info.signal, 'SIGKILL');
    assert.equal(info.requested, false);
    assert.equal(supervised.state, 'failed');
    assertReaped(pid);
  });

  it('rejects start() when the command does not exist', LIMIT, async (t) => {
    const missing = '/nonexistent/streamcaster-no-such-binary';
    const supervised = supervise(t, { command: missing, args: [], restart: 'never' });
    await assert.rejects(supervised.start(), (error: Error) => error.message.includes(missing));
  });

  it('refuses a second start() while running', LIMIT, async (t) => {
    const supervised = supervise(t, { command: NODE, args: ['-e', 'setInterval(() => {}, 1000);'], restart: 'never' });
    await supervised.start();
    await assert.rejects(supervised.start(), { message: `test:${t.name}: already running` });
  });
});

describe('SupervisedProcess restarts', () => {
  it('restarts a failing child with doubling delays up to the cap, counting restarts', LIMIT, async (t) => {
    const supervised = supervise(t, { command: NODE, args: ['-e', 'process.exit(3)'], restart: 'on-failure' });
    const states: SupervisedState[] = [];
    supervised.on('state', (state) => states.push(state));
    const scheduled: Array<{ delayMs: number; attempt: number; restartsSoFar: number }> = [];
    const fourScheduled = new Promise<void>((resolve) =>
      supervised.on('restartScheduled', (delayMs, attempt) => {
        scheduled.push({ delayMs, attempt, restartsSoFar: supervised.restarts });
        if (scheduled.length === 4) resolve();
      }),
    );

    await supervised.start();
    await fourScheduled;
    await supervised.stop();

    assert.deepEqual(scheduled, [
      { delayMs: 50, attempt: 1, restartsSoFar: 0 },
      { delayMs: 100, attempt: 2, restartsSoFar: 1 },
      { delayMs: 150, attempt: 3, restartsSoFar: 2 },
      { delayMs: 150, attempt: 4, restartsSoFar: 3 },
    ]);
    assert.ok(states.includes('backoff'), `states were ${states.join(', ')}`);
    assert.equal(supervised.state, 'stopped');

    // The pending restart was cancelled by stop().
    await delay(300);
    assert.equal(supervised.restarts, 3);
    assert.equal(supervised.state, 'stopped');
  });

  it('starts the backoff over when the child had stayed up for resetAfterMs', LIMIT, async (t) => {
    const supervised = supervise(t, {
      command: NODE,
      args: ['-e', 'process.exit(1)'],
      backoff: { initialMs: 50, maxMs: 1_000, resetAfterMs: 0 },
    });
    const delays: number[] = [];
    const threeScheduled = new Promise<void>((resolve) =>
      supervised.on('restartScheduled', (delayMs) => {
        delays.push(delayMs);
        if (delays.length === 3) resolve();
      }),
    );
    await supervised.start();
    await threeScheduled;
    await supervised.stop();
    assert.deepEqual(delays, [50, 50, 50]);
  });

  it('restartNow kills a stuck child (one that ignores SIGTERM) and starts the next at once, without a backoff', LIMIT, async (t) => {
    // A backoff far longer than the test: only restartNow can bring the next child in time.
    const stuck = "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)";
    const supervised = supervise(t, { command: NODE, args: ['-e', stuck], restart: 'always', stopTimeoutMs: 300, backoff: { initialMs: 60_000, maxMs: 60_000, resetAfterMs: 60_000 } });
    const exits: ExitInfo[] = [];
    supervised.on('exit', (info) => exits.push(info));
    await supervised.start();
    const first = supervised.pid;
    const restarted = new Promise<void>((resolve) => supervised.on('state', (state) => state === 'running' && resolve()));
    assert.equal(supervised.restartNow(), true);
    await restarted;
    assert.notEqual(supervised.pid, first);
    assert.equal(supervised.restarts, 1);
    assert.deepEqual(exits.map((info) => [info.signal, info.requested]), [['SIGKILL', false]]);
    await supervised.stop();
    assert.equal(supervised.restartNow(), false, 'a stopped process is not started again');
  });

  it('write reaches the running child\'s stdin, and says false once no child runs', LIMIT, async (t) => {
    const echo = "process.stdin.setEncoding('utf8').on('data', (text) => process.stdout.write('got ' + text))";
    const supervised = supervise(t, { command: NODE, args: ['-e', echo], restart: 'never' });
    const answered = new Promise<string>((resolve) => supervised.on('line', (stream, line) => stream === 'stdout' && resolve(line)));
    await supervised.start();
    assert.equal(supervised.write('Chue 1.5 s 0\n'), true);
    assert.equal(await answered, 'got Chue 1.5 s 0');
    await supervised.stop();
    assert.equal(supervised.write('more\n'), false);
  });

  it("with restart 'never', ends in 'failed' after a failure and does not restart", LIMIT, async (t) => {
    const supervised = supervise(t, { command: NODE, args: ['-e', 'process.exit(3)'], restart: 'never' });
    let scheduled = 0;
    supervised.on('restartScheduled', () => (scheduled += 1));
    const exited = nextExit(supervised);
    await supervised.start();
    const info = await exited;
    assert.equal(info.code, 3);
    assert.equal(info.requested, false);
    assert.equal(supervised.state, 'failed');
    await delay(150);
    assert.equal(scheduled, 0);
    assert.equal(supervised.restarts, 0);
    assert.equal(supervised.state, 'failed');
  });

  it("with restart 'never', ends in 'stopped' after a clean exit", LIMIT, async (t) => {
    const supervised = supervise(t, { command: NODE, args: ['-e', 'process.exit(0)'], restart: 'never' });
    const exited = nextExit(supervised);
    await supervised.start();
    assert.equal((await exited).code, 0);
    assert.equal(supervised.state, 'stopped');
  });

  it("with restart 'on-failure', does not restart after a clean exit", LIMIT, async (t) => {
    const supervised = supervise(t, { command: NODE, args: ['-e', 'process.exit(0)'], restart: 'on-failure' });
    let scheduled = 0;
    supervised.on('restartScheduled', () => (scheduled += 1));
    const exited = nextExit(supervised);
    await supervised.start();
    await exited;
    assert.equal(supervised.state, 'stopped');
    assert.equal(scheduled, 0);
  });

  it("with restart 'always', restarts after a clean exit too", LIMIT, async (t) => {
    const supervised = supervise(t, { command: NODE, args: ['-e', 'process.exit(0)'], restart: 'always' });
    const restarted = new Promise<void>((resolve) =>
      supervised.on('state', (state) => {
        if (state === 'running' && supervised.restarts === 1) resolve();
      }),
    );
    await supervised.start();
    await restarted;
    assert.equal(supervised.restarts, 1);
  });

  it('evaluates an args function again at every restart', LIMIT, async (t) => {
    let calls = 0;
    const supervised = supervise(t, {
      command: NODE,
      args: () => ['-e', `console.log('run ${calls++}'); process.exit(1);`],
    });
    const stdout = linesOf(supervised);
    let exits = 0;
    const thirdExit = new Promise<void>((resolve) =>
      supervised.on('exit', () => {
        exits += 1;
        if (exits === 3) resolve();
      }),
    );
    await supervised.start();
    await thirdExit;
    await supervised.stop();
    assert.deepEqual(stdout, ['run 0', 'run 1', 'run 2']);
    assert.equal(calls, 3);
  });
});

describe('SupervisedProcess stop', () => {
  it('sends SIGTERM and waits for the child to exit by itself', LIMIT, async (t) => {
    const supervised = supervise(t, {
      command: NODE,
      args: [
        '-e',
        "process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(0); }); console.log('ready'); setInterval(() => {}, 1000);",
      ],
      readiness: { kind: 'line', pattern: /^ready$/ },
      stopTimeoutMs: 2_000,
    });
    const stdout = linesOf(supervised);
    const exited = nextExit(supervised);
    await supervised.start();
    const pid = supervised.pid;

    await supervised.stop();

    const info = await exited;
    assert.deepEqual([info.code, info.signal, info.requested], [0, null, true]);
    assert.deepEqual(stdout, ['ready', 'got SIGTERM']);
    assert.equal(supervised.state, 'stopped');
    assertReaped(pid);
  });

  it('sends the configured stop signal instead of SIGTERM', LIMIT, async (t) => {
    const supervised = supervise(t, {
      command: NODE,
      args: [
        '-e',
        "process.on('SIGINT', () => { console.log('got SIGINT'); process.exit(0); }); process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(1); }); console.log('ready'); setInterval(() => {}, 1000);",
      ],
      readiness: { kind: 'line', pattern: /^ready$/ },
      stopSignal: 'SIGINT',
      stopTimeoutMs: 2_000,
    });
    const stdout = linesOf(supervised);
    const exited = nextExit(supervised);
    await supervised.start();
    await supervised.stop();
    assert.equal((await exited).code, 0);
    assert.deepEqual(stdout, ['ready', 'got SIGINT']);
  });

  it('escalates to SIGKILL after stopTimeoutMs for a child that ignores SIGTERM', LIMIT, async (t) => {
    const supervised = supervise(t, {
      command: 'sh',
      // `exec` keeps the one pid (setpriv execs too), and an ignored signal stays ignored across exec.
      args: ['-c', 'trap "" TERM; echo armed; exec sleep 30'],
      readiness: { kind: 'line', pattern: /^armed$/ },
      stopTimeoutMs: 500,
    });
    const exited = nextExit(supervised);
    await supervised.start();
    const pid = supervised.pid;

    const stopping = supervised.stop();
    await delay(150);
    assert.equal(supervised.state, 'stopping');
    assert.ok(pid !== undefined && isRunning(pid), 'SIGTERM alone does not end it');
    await stopping;

    const info = await exited;
    assert.equal(info.signal, 'SIGKILL');
    assert.equal(info.requested, true);
    assert.equal(supervised.state, 'stopped');
    assertReaped(pid);
  });

  it('leaves no process of the child running after stop(), grandchildren included', LIMIT, async (t) => {
    // A wrapper shell with a background job, the way nginx keeps workers: the job does not hold our pipes.
    const supervised = supervise(t, {
      command: 'sh',
      args: ['-c', 'sleep 30 </dev/null >/dev/null 2>&1 & echo $!; wait'],
      readiness: { kind: 'line', pattern: /^\d+$/ },
      stopTimeoutMs: 300,
    });
    const stdout = linesOf(supervised);
    await supervised.start();
    const grandchild = Number(stdout[0]);
    t.after(() => {
      if (isRunning(grandchild)) process.kill(grandchild, 'SIGKILL');
    });
    assert.ok(isRunning(grandchild), 'the background job runs');

    await supervised.stop();

    // The group's SIGKILL is sent before stop() resolves; on a busy machine the kernel may take a
    // moment to carry it out on a process that is not our child.
    const deadline = Date.now() + 1_000;
    while (isRunning(grandchild) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(isRunning(grandchild), false, `grandchild ${grandchild} survived stop() by a second`);
  });

  it('resolves stop() even when a grandchild still holds the output pipes', LIMIT, async (t) => {
    const supervised = supervise(t, {
      command: 'sh',
      args: ['-c', 'sleep 30 & echo $!; wait'],
      readiness: { kind: 'line', pattern: /^\d+$/ },
      stopTimeoutMs: 300,
    });
    const stdout = linesOf(supervised);
    await supervised.start();
    const grandchild = Number(stdout[0]);

    const stopping = supervised.stop();
    try {
      const outcome = await Promise.race([stopping.then(() => 'stopped'), delay(2_000).then(() => 'still stopping')]);
      assert.equal(outcome, 'stopped');
    } finally {
      if (isRunning(grandchild)) process.kill(grandchild, 'SIGKILL');
      await stopping;
    }
  });
});

describe('SupervisedProcess exit information', () => {
  it('keeps the last stderrTailLines non-blank lines of stderr, including an unterminated last line', LIMIT, async (t) => {
    const supervised = supervise(t, {
      command: NODE,
      args: [
        '-e',
        "process.stderr.write('first\\nsecond\\n\\n   \\nfatal: bad thing'); process.stdout.write('stdout noise\\n'); process.exitCode = 1;",
      ],
      restart: 'never',
      stderrTailLines: 2,
    });
    const exited = nextExit(supervised);
    await supervised.start();
    const info = await exited;
    assert.deepEqual(info.stderrTail, ['second', 'fatal: bad thing']);
    assert.equal(describeExit(info), 'code 1: fatal: bad thing');
  });

  it('explains each exit with the stderr of that run only', LIMIT, async (t) => {
    let run = 0;
    const supervised = supervise(t, {
      command: NODE,
      args: () =>
        run++ === 0
          ? ['-e', "console.error('rtmp://a.example/live: Connection refused'); process.exit(1);"]
          : ['-e', 'process.exit(1);'],
    });
    const infos: ExitInfo[] = [];
    const twoExits = new Promise<void>((resolve) =>
      supervised.on('exit', (info) => {
        infos.push(info);
        if (infos.length === 2) resolve();
      }),
    );
    await supervised.start();
    await twoExits;
    await supervised.stop();
    assert.deepEqual(infos[0]?.stderrTail, ['rtmp://a.example/live: Connection refused']);
    assert.deepEqual(infos[1]?.stderrTail, []);
    assert.equal(describeExit(infos[1] as ExitInfo), 'code 1');
  });
});

describe('describeExit', () => {
  it('names the exit code, or the signal when there was one', () => {
    assert.equal(describeExit({ code: 2, signal: null, stderrTail: [] }), 'code 2');
    assert.equal(describeExit({ code: null, signal: 'SIGKILL', stderrTail: [] }), 'signal SIGKILL');
  });

  it('adds the last stderr line as the reason', () => {
    assert.equal(
      describeExit({ code: null, signal: 'SIGSEGV', stderrTail: ['Input #0, flv', 'Segmentation fault'] }),
      'signal SIGSEGV: Segmentation fault',
    );
  });
});
