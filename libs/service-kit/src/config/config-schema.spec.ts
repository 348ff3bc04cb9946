import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ConfigError, field, loadConfig, milliseconds, port, url } from './config-schema.js';
import { commonConfigFields, databaseUrlField } from './common.config.js';

const fields = {
  httpPort: field('HTTP_PORT', port(3000), 'HTTP port of the gateway'),
  graceMs: field('GRACE_MS', milliseconds(60_000), 'how long a dropped DJ may take to come back'),
  redisUrl: field('REDIS_URL', url(['redis', 'rediss'], 'redis://127.0.0.1:6379'), 'Redis for BullMQ'),
  jwtSecret: field('JWT_SECRET', z.string().min(32, 'must be at least 32 characters'), 'signs access tokens', true),
  publicUrl: field('PUBLIC_URL', url(['http', 'https']), 'where the dashboard is served'),
};

const validEnv = {
  JWT_SECRET: 's'.repeat(32),
  PUBLIC_URL: 'https://streamcaster.example.com',
};

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigError, nothing was thrown');
}

describe('loadConfig', () => {
  it('applies the defaults of unset variables', () => {
    const config = loadConfig('gateway', fields, validEnv);
    assert.deepEqual(config, {
      httpPort: 3000,
      graceMs: 60_000,
      redisUrl: 'redis://127.0.0.1:6379',
      jwtSecret: 's'.repeat(32),
      publicUrl: 'https://streamcaster.example.com',
    });
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig('gateway', fields, { ...validEnv, HTTP_PORT: '', REDIS_URL: '' });
    assert.equal(config.httpPort, 3000);
    assert.equal(config.redisUrl, 'redis://127.0.0.1:6379');
  });

  it('coerces numeric variables from their string form', () => {
    const config = loadConfig('gateway', fields, { ...validEnv, HTTP_PORT: '8080', GRACE_MS: '0' });
    assert.equal(config.httpPort, 8080);
    assert.equal(config.graceMs, 0);
    assert.equal(typeof config.httpPort, 'number');
  });

  it('ignores variables it does not define', () => {
    const config = loadConfig('gateway', fields, { ...validEnv, UNRELATED: 'x' });
    assert.equal(Object.hasOwn(config, 'UNRELATED'), false);
    assert.equal(Object.keys(config).length, Object.keys(fields).length);
  });

  it('throws one ConfigError listing every bad variable by its name', () => {
    const error = configErrorOf(() =>
      loadConfig('gateway', fields, {
        HTTP_PORT: 'eighty',
        GRACE_MS: '-5',
        REDIS_URL: 'http://127.0.0.1:6379',
        JWT_SECRET: 'short',
      }),
    );
    assert.equal(error.name, 'ConfigError');
    assert.equal(error.service, 'gateway');
    assert.equal(error.problems.length, 5);
    const [httpPort, graceMs, redisUrl, jwtSecret, publicUrl] = error.problems;
    assert.match(httpPort ?? '', /^HTTP_PORT \(HTTP port of the gateway\) is "eighty": /);
    assert.match(graceMs ?? '', /^GRACE_MS \(.*\) is "-5": /);
    assert.match(redisUrl ?? '', /^REDIS_URL \(Redis for BullMQ\) is "http:\/\/127\.0\.0\.1:6379": must start with redis:\/\/ or rediss:\/\/$/);
    assert.match(jwtSecret ?? '', /^JWT_SECRET \(signs access tokens\) is set \(hidden\): must be at least 32 characters$/);
    assert.match(publicUrl ?? '', /^PUBLIC_URL \(where the dashboard is served\) is unset: /);
    assert.ok(error.message.startsWith('gateway: invalid configuration\n'));
    for (const name of ['HTTP_PORT', 'GRACE_MS', 'REDIS_URL', 'JWT_SECRET', 'PUBLIC_URL']) {
      assert.ok(error.message.includes(`  - ${name} (`), `${name} is listed in the message`);
    }
  });

  it('never prints the value of a sensitive variable', () => {
    const secret = 'postgres://app:hunter2-very-secret@db.internal:5432/streamcaster';
    const error = configErrorOf(() =>
      loadConfig('publisher', { databaseUrl: databaseUrlField }, { DATABASE_URL: secret.replace('postgres://', 'mysql://') }),
    );
    assert.equal(error.problems.length, 1);
    assert.ok(error.message.includes('DATABASE_URL'));
    assert.ok(error.message.includes('set (hidden)'));
    assert.ok(!error.message.includes('hunter2'), error.message);
    assert.ok(!error.problems.some((problem) => problem.includes('hunter2')));
  });

  it('rejects ports out of range and fractional ports', () => {
    for (const value of ['0', '65536', '80.5', 'NaN']) {
      const error = configErrorOf(() => loadConfig('gateway', fields, { ...validEnv, HTTP_PORT: value }));
      assert.equal(error.problems.length, 1, value);
      assert.ok(error.problems[0]?.startsWith('HTTP_PORT '), value);
    }
    assert.equal(loadConfig('gateway', fields, { ...validEnv, HTTP_PORT: '65535' }).httpPort, 65_535);
  });
});

describe('commonConfigFields', () => {
  it('has working defaults for every service on this machine', () => {
    assert.deepEqual(loadConfig('any', commonConfigFields, {}), {
      natsUrl: 'nats://127.0.0.1:4222',
      subjectPrefix: '',
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'streamcaster',
      dataDir: 'var/data',
    });
  });

  it('accepts a subject prefix of one token and a dot, and nothing else', () => {
    assert.equal(loadConfig('any', commonConfigFields, { NATS_SUBJECT_PREFIX: 'e2e-1234.' }).subjectPrefix, 'e2e-1234.');
    for (const prefix of ['e2e-1234', 'a.b.', '.', 'with space.']) {
      const error = configErrorOf(() => loadConfig('any', commonConfigFields, { NATS_SUBJECT_PREFIX: prefix }));
      assert.equal(error.problems.length, 1, prefix);
      assert.match(error.problems[0] ?? '', /^NATS_SUBJECT_PREFIX .*must be empty or one token followed by a dot/, prefix);
    }
  });

  it('rejects a NATS URL of another scheme', () => {
    const error = configErrorOf(() => loadConfig('any', commonConfigFields, { NATS_URL: 'tcp://127.0.0.1:4222' }));
    assert.match(error.problems[0] ?? '', /^NATS_URL .*must start with nats:\/\/$/);
  });

  it('takes the backbone credentials in the URLs and never prints them', () => {
    const config = loadConfig('any', commonConfigFields, {
      NATS_URL: 'nats://streamcaster:nats-secret@nats:4222',
      REDIS_URL: 'redis://:redis-secret@redis:6379',
    });
    assert.equal(config.natsUrl, 'nats://streamcaster:nats-secret@nats:4222');
    assert.equal(config.redisUrl, 'redis://:redis-secret@redis:6379');

    const error = configErrorOf(() =>
      loadConfig('any', commonConfigFields, { NATS_URL: 'tls://streamcaster:nats-secret@nats:4222', REDIS_URL: 'http://:redis-secret@redis:6379' }),
    );
    assert.equal(error.problems.length, 2);
    assert.match(error.problems[0] ?? '', /^NATS_URL .* is set \(hidden\): must start with nats:\/\/$/);
    assert.match(error.problems[1] ?? '', /^REDIS_URL .* is set \(hidden\): must start with redis:\/\/ or rediss:\/\/$/);
    assert.ok(!error.message.includes('secret'), error.message);
  });

  it('refuses a NATS password without a user, and a NATS URL that is no URL', () => {
    for (const natsUrl of ['nats://:token-like@nats:4222', 'nats://exa mple:4222']) {
      const error = configErrorOf(() => loadConfig('any', commonConfigFields, { NATS_URL: natsUrl }));
      assert.equal(error.problems.length, 1, natsUrl);
      assert.match(error.problems[0] ?? '', /^NATS_URL .*: must be nats:\/\/host:port or nats:\/\/user:password@host:port$/, natsUrl);
      assert.ok(!error.message.includes('token-like'), error.message);
    }
  });
});
