import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestEnvironment, freePort, processTree, waitFor, type TestEnvironment } from '@streamcaster/testing';

/**
 * What `npm start` runs after installing and building: the stack runner in the foreground. It must
 * bring everything up, say where everything is, and on SIGTERM take every process it started along.
 */
describe('the start command', { timeout: 120_000 }, () => {
  let environment: TestEnvironment;
  let output = '';

  before(async () => {
    environment = await createTestEnvironment('start');
  });

  after(async () => {
    await environment?.dispose();
  });

  it('starts the whole system, prints its addresses, and leaves no process behind on SIGTERM', async () => {
    const ports = { gateway: await freePort(), rtmp: await freePort(), stat: await freePort() };
    const runner = spawn(process.execPath, ['dist/tools/stack/main.js'], {
      env: {
        ...process.env,
        ...environment.env,
        STREAMCASTER_VAR_DIR: join(environment.dataDir, 'var'),
        STREAMCASTER_DATA_DIR: join(environment.dataDir, 'var', 'data'),
        GATEWAY_PORT: String(ports.gateway),
        RTMP_PORT: String(ports.rtmp),
        RTMP_STAT_PORT: String(ports.stat),
        STREAMCASTER_ADMIN_EMAIL: 'start@streamcaster.test',
        STREAMCASTER_ADMIN_PASSWORD: 'start-password-123',
      },
      cwd: resolve('.'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    runner.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    runner.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const exited = new Promise<number | null>((settle) => runner.once('close', (code) => settle(code)));

    await waitFor('"StreamCaster is up."', () => (output.includes('StreamCaster is up.') ? true : undefined), 90_000);
    assert.match(output, new RegExp(`http://localhost:${ports.gateway}/api`));
    assert.match(output, /start@streamcaster\.test/);
    assert.match(output, new RegExp(`rtmp://localhost:${ports.rtmp}/live/<DJ stream key>`));
    assert.match(output, new RegExp(`rtmp://localhost:${ports.rtmp}/test/<DJ stream key>`));

    const docs = await fetch(`http://127.0.0.1:${ports.gateway}/api/docs/openapi.json`);
    assert.equal(docs.status, 200);
    const spec = (await docs.json()) as { paths: Record<string, unknown> };
    for (const path of ['/api/auth/login', '/api/djs', '/api/destinations', '/api/broadcasts/{id}/stop', '/api/recordings/{id}/file', '/api/branding/logo']) {
      assert.ok(path in spec.paths, `OpenAPI lacks ${path}`);
    }

    // The dashboard, built by the start command, at / and at a client route.
    assert.match(output, new RegExp(`Dashboard +http://localhost:${ports.gateway}/`));
    for (const path of ['/', '/djs']) {
      const page = await fetch(`http://127.0.0.1:${ports.gateway}${path}`);
      assert.equal(page.status, 200, path);
      assert.match(await page.text(), /<div id="root">/, `${path} is the dashboard's index.html`);
    }

    const started = [...processTree([runner.pid!]).keys()].filter((pid) => pid !== runner.pid);
    assert.ok(started.length >= 6, `expected nginx and five services under the runner, found ${started.length}`);
    runner.kill('SIGTERM');
    assert.equal(await exited, 0, output.slice(-2000));
    assert.match(output, /no process left behind/);
    const alive = started.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    assert.deepEqual(alive, [], 'processes of the stack outlived it');
  });
});
