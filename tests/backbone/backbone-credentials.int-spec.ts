import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ListRecordings } from '@streamcaster/contracts';
import { BusClient } from '@streamcaster/service-kit';
import { SupervisedProcess, type ExitInfo } from '@streamcaster/supervisor';
import { createTestEnvironment, freePort, waitFor, type TestEnvironment } from '@streamcaster/testing';

/**
 * The real services against a NATS and a Redis that take only those who know their credentials, as
 * compose, Kubernetes and `npm start` run them: the right credentials work on every connection, and a
 * wrong or missing one stops the boot with one sentence naming the variable (no stack trace, no
 * service that calls itself ready while every queue operation fails).
 */
describe('services on a backbone with credentials', { timeout: 180_000 }, () => {
  const natsUser = 'streamcaster';
  const natsPassword = randomBytes(18).toString('hex');
  const redisPassword = randomBytes(18).toString('hex');
  const servers: SupervisedProcess[] = [];
  let workDir: string;
  let environment: TestEnvironment;
  let natsPort: number;
  let redisPort: number;

  const natsUrl = (credentials = `${natsUser}:${natsPassword}@`) => `nats://${credentials}127.0.0.1:${natsPort}`;
  const redisUrl = (credentials = `:${redisPassword}@`) => `redis://${credentials}127.0.0.1:${redisPort}`;

  before(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'streamcaster-credentials-'));
    [natsPort, redisPort] = [await freePort(), await freePort()];
    const nats = new SupervisedProcess({
      name: 'nats-server',
      command: '/usr/sbin/nats-server',
      args: ['-a', '127.0.0.1', '-p', String(natsPort), '-js', '-sd', join(workDir, 'nats'), '--user', natsUser, '--pass', natsPassword],
      restart: 'never',
      readiness: { kind: 'tcp', host: '127.0.0.1', port: natsPort },
    });
    const redis = new SupervisedProcess({
      name: 'redis-server',
      command: 'redis-server',
      args: ['--bind', '127.0.0.1', '--port', String(redisPort), '--requirepass', redisPassword, '--save', '', '--appendonly', 'no', '--dir', workDir],
      restart: 'never',
      readiness: { kind: 'tcp', host: '127.0.0.1', port: redisPort },
    });
    servers.push(nats, redis);
    await Promise.all(servers.map((server) => server.start()));
    environment = await createTestEnvironment('credentials');
  });

  after(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await environment?.dispose();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  /** Boots a service from its build, as `npm start` and the images do, in the test environment. */
  async function service(name: 'recorder' | 'gateway', backbone: { NATS_URL: string; REDIS_URL: string }) {
    const output: string[] = [];
    const child = new SupervisedProcess({
      name,
      command: process.execPath,
      args: [resolve('dist/apps', name, 'src/main.js')],
      env: {
        ...process.env,
        ...environment.env,
        ...backbone,
        NO_COLOR: '1',
        GATEWAY_PORT: String(await freePort()),
        // Nothing in these tests streams: nginx-rtmp need not run.
        RTMP_INTERNAL_URL: `rtmp://127.0.0.1:${await freePort()}`,
      },
      restart: 'never',
      readiness: { kind: 'line', pattern: new RegExp(`${name} is ready`) },
      readyTimeoutMs: 60_000,
    });
    child.on('line', (_stream, line) => output.push(line));
    const exited = new Promise<ExitInfo>((settle) => child.once('exit', settle));
    return { process: child, output, exited };
  }

  /** Boots a service that must refuse to start, and returns its exit code and everything it printed. */
  async function refusedBoot(name: 'recorder' | 'gateway', backbone: { NATS_URL: string; REDIS_URL: string }) {
    const { process: child, output, exited } = await service(name, backbone);
    await assert.rejects(child.start(), /exited \(code \d+/, `${name} started although the backbone refuses it`);
    const exit = await exited;
    const printed = output.join('\n');
    for (const secret of [natsPassword, redisPassword]) assert.ok(!printed.includes(secret), `${name} printed a password:\n${printed}`);
    assert.doesNotMatch(printed, /^\s+at /m, `${name} printed a stack trace:\n${printed}`);
    return { code: exit.code, printed };
  }

  it('boots with the right credentials: answers on the bus and holds its queue connection to Redis', async () => {
    const recorder = await service('recorder', { NATS_URL: natsUrl(), REDIS_URL: redisUrl() });
    await recorder.process.start();
    const bus = new BusClient('test', environment.subjectPrefix, natsUrl());
    await bus.connect();
    const redis = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      assert.deepEqual(await bus.request(ListRecordings, {}), []);
      // BullMQ names its connections after the queue prefix; an unauthenticated client could not.
      const clients = await waitFor(
        "the recorder's BullMQ connection in Redis's client list",
        async () => {
          const list = (await redis.client('LIST')) as string;
          return list.includes(`name=${environment.queuePrefix}:`) ? list : undefined;
        },
        15_000,
      );
      assert.match(clients, new RegExp(`name=${environment.queuePrefix}:`));
      assert.doesNotMatch(recorder.output.join('\n'), /NOAUTH|WRONGPASS|Authorization Violation/);
    } finally {
      redis.disconnect();
      await bus.close();
      await recorder.process.stop();
    }
    // Nest closes the app on SIGTERM and then re-raises the signal: a clean stop is that, not a SIGKILL.
    const exit = await recorder.exited;
    assert.ok(exit.code === 0 || exit.signal === 'SIGTERM', `recorder did not stop cleanly: ${JSON.stringify(exit)}`);
  });

  it('exits at boot, naming NATS_URL, when NATS refuses the password', async () => {
    const { code, printed } = await refusedBoot('recorder', { NATS_URL: natsUrl(`${natsUser}:wrong-password@`), REDIS_URL: redisUrl() });
    assert.equal(code, 78);
    assert.ok(
      printed.includes(
        `recorder: NATS at nats://${natsUser}:***@127.0.0.1:${natsPort} refused the credentials of user "${natsUser}" in NATS_URL (Authorization Violation).`,
      ),
      printed,
    );
    assert.doesNotMatch(printed, /wrong-password/);
  });

  it('exits at boot when NATS_URL carries no credentials for a NATS that requires them', async () => {
    const { code, printed } = await refusedBoot('recorder', { NATS_URL: natsUrl(''), REDIS_URL: redisUrl() });
    assert.equal(code, 78);
    assert.match(printed, /recorder: NATS at nats:\/\/127\.0\.0\.1:\d+ refused a connection without credentials \(NATS_URL has no user and password\)/);
  });

  it('exits at boot with NOAUTH, naming REDIS_URL, when the Redis password is missing', async () => {
    const { code, printed } = await refusedBoot('recorder', { NATS_URL: natsUrl(), REDIS_URL: redisUrl('') });
    assert.equal(code, 78);
    assert.ok(
      printed.includes(`recorder: Redis at redis://127.0.0.1:${redisPort} requires a password and REDIS_URL carries none (NOAUTH Authentication required.).`),
      printed,
    );
  });

  it('exits at boot with WRONGPASS when the Redis password is wrong', async () => {
    const { code, printed } = await refusedBoot('recorder', { NATS_URL: natsUrl(), REDIS_URL: redisUrl(':wrong-password@') });
    assert.equal(code, 78);
    assert.ok(printed.includes(`recorder: Redis at redis://:***@127.0.0.1:${redisPort} refused the password in REDIS_URL (WRONGPASS`), printed);
    assert.doesNotMatch(printed, /wrong-password/);
  });

  it('the gateway, the HTTP service, refuses a wrong NATS password the same way', async () => {
    const { code, printed } = await refusedBoot('gateway', { NATS_URL: natsUrl(`${natsUser}:wrong-password@`), REDIS_URL: redisUrl() });
    assert.equal(code, 78);
    assert.ok(printed.includes(`gateway: NATS at nats://${natsUser}:***@127.0.0.1:${natsPort} refused the credentials of user "${natsUser}"`), printed);
  });
});
