import 'reflect-metadata';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { createTestEnvironment, type TestEnvironment, waitFor } from '@streamcaster/testing';
import {
  controlPlaneMigration,
  LEASE_TIMING,
  LeasedWorkers,
  LeaseStore,
  openServiceDataSource,
  serviceDataSourceOptions,
  type Lease,
  type LeasedWork,
  type RunningWork,
} from '../src/index.js';

const SCHEMA = 'leasing';

let env: TestEnvironment;
let dataSource: DataSource;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function leaseRow(resource: string): Promise<{ owner: string; token: number; renewedAt: Date } | undefined> {
  const rows = (await dataSource.query(`SELECT owner, token, renewed_at FROM ${SCHEMA}.leases WHERE resource = $1`, [resource])) as Array<{
    owner: string;
    token: string;
    renewed_at: Date;
  }>;
  const row = rows[0];
  return row && { owner: row.owner, token: Number(row.token), renewedAt: row.renewed_at };
}

/** Seconds between two instants by the database's own clock. */
async function secondsBetween(earlier: Date, later: Date): Promise<number> {
  const [row] = (await dataSource.query(`SELECT extract(epoch FROM $2::timestamptz - $1::timestamptz)::float8 AS seconds`, [earlier, later])) as Array<{ seconds: number }>;
  return row!.seconds;
}

before(async () => {
  Logger.overrideLogger(['error']);
  env = await createTestEnvironment('leases');
  dataSource = await openServiceDataSource({ ...serviceDataSourceOptions({ url: env.databaseUrl, schema: SCHEMA, entities: [], migrations: [controlPlaneMigration(SCHEMA)] }), schema: SCHEMA });
});

/** Every store made here: each holds a connection of its own for its liveness locks. */
const stores: LeaseStore[] = [];
function store(owner: string): LeaseStore {
  const made = new LeaseStore(dataSource, SCHEMA, owner);
  stores.push(made);
  return made;
}

after(async () => {
  await Promise.all(stores.map((made) => made.close()));
  await dataSource?.destroy();
  await env?.dispose();
});

describe('lease store', () => {
  it('gives a resource to exactly one of two owners taking it at once, with token 1; nobody takes it again while it is held', async () => {
    const a = store('owner-a');
    const b = store('owner-b');
    for (let round = 0; round < 20; round += 1) {
      const resource = `exclusive:${randomUUID()}`;
      const [fromA, fromB] = await Promise.all([a.acquire(resource), b.acquire(resource)]);
      const winners = [fromA, fromB].filter((lease): lease is Lease => lease !== null);
      assert.equal(winners.length, 1, `round ${round}: ${winners.length} owners got ${resource}`);
      const winner = winners[0]!;
      assert.equal(winner.token, 1);
      assert.deepEqual(await leaseRow(resource).then((row) => row && { owner: row.owner, token: row.token }), { owner: winner.owner, token: 1 });
      assert.equal(await a.acquire(resource), null);
      assert.equal(await b.acquire(resource), null);
    }
  });

  it('tells an owner whose lease was taken over that it lost it, and fences its writes', async () => {
    const a = store('owner-a');
    const b = store('owner-b');
    const resource = `taken:${randomUUID()}`;
    const leaseA = (await a.acquire(resource))!;
    assert.deepEqual(await a.renew([leaseA]), new Set([resource]));
    // A stopped renewing for longer than the expiry (frozen, cut off).
    await dataSource.query(`UPDATE ${SCHEMA}.leases SET renewed_at = now() - interval '7 seconds' WHERE resource = $1`, [resource]);
    const leaseB = await b.acquire(resource);
    assert.ok(leaseB, 'B takes the expired lease');
    assert.equal(leaseB.token, leaseA.token + 1);

    assert.deepEqual(await a.renew([leaseA]), new Set(), 'A\'s renewal reports the lease lost');
    assert.equal(await a.holds(leaseA), false);
    assert.deepEqual(await b.renew([leaseB]), new Set([resource]));
    assert.equal(await b.holds(leaseB), true);
    // What A does with its stale lease touches nothing of B's.
    await a.release(leaseA);
    await a.drop(leaseA);
    assert.deepEqual(await leaseRow(resource).then((row) => row && { owner: row.owner, token: row.token }), { owner: 'owner-b', token: leaseB.token });
    assert.equal(await b.isHeld(resource), true);
    assert.equal(await a.acquire(resource), null);
  });

  it('lets another owner take a lease only once it has not been renewed for 6 s, with the token raised by one', async () => {
    const a = store('owner-a');
    const b = store('owner-b');
    const resource = `expiry:${randomUUID()}`;
    const leaseA = (await a.acquire(resource))!;
    // While A renews every 2 s, B never gets it, for longer than the expiry.
    for (let elapsed = 0; elapsed < 8_000; elapsed += 500) {
      if (elapsed % LEASE_TIMING.renewEveryMs === 0) assert.deepEqual(await a.renew([leaseA]), new Set([resource]));
      assert.equal(await b.acquire(resource), null, `B took a lease that A renews (after ${elapsed} ms)`);
      await sleep(500);
    }
    assert.deepEqual(await a.renew([leaseA]), new Set([resource]));
    const lastRenewal = (await leaseRow(resource))!.renewedAt;

    // A stops renewing: B takes it over once the lease is 6 s old, not before.
    const leaseB = await waitFor('B to take the lease over', () => b.acquire(resource).then((lease) => lease ?? undefined), 12_000, 100);
    const takenAt = (await leaseRow(resource))!.renewedAt;
    assert.equal(leaseB.token, leaseA.token + 1);
    const age = await secondsBetween(lastRenewal, takenAt);
    assert.ok(age >= LEASE_TIMING.expireAfterMs / 1000, `taken over ${age} s after the last renewal`);
    assert.deepEqual(await a.renew([leaseA]), new Set());
  });
});

interface Entry {
  at: number;
  instance: string;
  what: 'start' | 'stop' | 'renewed' | 'lost';
  key: string;
  token: number;
  reason?: string;
}

/**
 * A replica's lease store as LeasedWorkers sees it, with a switch that freezes it: every acquire
 * and renewal hangs until thawed, as when the replica's database connection stalls. Renewals that
 * return are written into the shared log.
 */
class FreezableStore extends LeaseStore {
  private frozen: Promise<void> | null = null;
  private thawNow: (() => void) | null = null;
  /** When the last renewal that confirmed every lease it was given was sent. */
  lastConfirmedRenewalSentAt = 0;

  constructor(
    private readonly instance: string,
    private readonly log: Entry[],
  ) {
    super(dataSource, SCHEMA, `owner-${instance}-${randomUUID().slice(0, 8)}`);
  }

  freeze(): void {
    this.frozen ??= new Promise((resolve) => (this.thawNow = resolve));
  }

  thaw(): void {
    this.thawNow?.();
    this.frozen = this.thawNow = null;
  }

  override async acquire(resource: string): Promise<Lease | null> {
    await this.frozen;
    return super.acquire(resource);
  }

  override async renew(leases: readonly Lease[]): Promise<Set<string>> {
    const sentAt = Date.now();
    await this.frozen;
    const kept = await super.renew(leases);
    for (const lease of leases) {
      this.log.push({ at: Date.now(), instance: this.instance, what: kept.has(lease.resource) ? 'renewed' : 'lost', key: lease.resource.split(':')[1]!, token: lease.token });
    }
    if (leases.every((lease) => kept.has(lease.resource))) this.lastConfirmedRenewalSentAt = sentAt;
    return kept;
  }
}

describe('leased workers', () => {
  const kind = () => `fake-${randomUUID().slice(0, 8)}`;

  function replica(instance: string, workKind: string, keys: string[], log: Entry[]) {
    const store = new FreezableStore(instance, log);
    const workers = new LeasedWorkers<null>({
      kind: workKind,
      store,
      scanEveryMs: 200,
      desired: () => Promise.resolve(keys.map((key): LeasedWork<null> => ({ key, spec: null }))),
      run: (work, lease): Promise<RunningWork> => {
        log.push({ at: Date.now(), instance, what: 'start', key: work.key, token: lease.token });
        const end = (reason: string) => {
          log.push({ at: Date.now(), instance, what: 'stop', key: work.key, token: lease.token, reason });
          return Promise.resolve();
        };
        return Promise.resolve({ stop: end, kill: (reason) => end(`killed: ${reason}`) });
      },
    });
    return { store, workers };
  }

  /** Every key's runs, as [instance, start, stop] intervals, must never overlap. */
  function assertNeverTwiceAtOnce(log: Entry[], keys: string[]): void {
    for (const key of keys) {
      const runs: Array<{ instance: string; token: number; start: number; stop: number }> = [];
      for (const entry of log.filter((candidate) => candidate.key === key)) {
        if (entry.what === 'start') runs.push({ instance: entry.instance, token: entry.token, start: entry.at, stop: Number.POSITIVE_INFINITY });
        if (entry.what === 'stop') {
          const run = runs.find((candidate) => candidate.instance === entry.instance && candidate.token === entry.token && candidate.stop === Number.POSITIVE_INFINITY);
          if (run) run.stop = entry.at;
        }
      }
      runs.sort((x, y) => x.start - y.start);
      for (let index = 1; index < runs.length; index += 1) {
        const previous = runs[index - 1]!;
        const next = runs[index]!;
        assert.ok(previous.stop <= next.start, `${key} ran twice at once: ${previous.instance} (token ${previous.token}) until ${previous.stop}, ${next.instance} (token ${next.token}) from ${next.start}`);
      }
    }
  }

  it('never runs one piece of work on two replicas at once: a replica that cannot renew stops before its leases expire, and another takes over only after expiry', async () => {
    const keys = ['k1', 'k2', 'k3'];
    const log: Entry[] = [];
    const workKind = kind();
    const a = replica('A', workKind, keys, log);
    const b = replica('B', workKind, keys, log);
    try {
      a.workers.start();
      await waitFor('A to run every key', () => (a.workers.heldKeys().length === keys.length ? true : undefined));
      b.workers.start();
      // A renews: B finds nothing to take, for longer than a lease lasts.
      await sleep(LEASE_TIMING.expireAfterMs + 1_000);
      assert.deepEqual(b.workers.heldKeys(), [], 'B took work that A renews');
      assert.deepEqual(a.workers.heldKeys().sort(), keys);

      a.store.freeze();
      const frozenAt = Date.now();
      await waitFor('B to take every key over', () => (b.workers.heldKeys().length === keys.length ? true : undefined), 20_000);
      const lastConfirmed = a.store.lastConfirmedRenewalSentAt;
      assert.ok(lastConfirmed > 0 && lastConfirmed <= frozenAt);

      assertNeverTwiceAtOnce(log, keys);
      for (const key of keys) {
        const stopA = log.find((entry) => entry.instance === 'A' && entry.what === 'stop' && entry.key === key);
        const startB = log.find((entry) => entry.instance === 'B' && entry.what === 'start' && entry.key === key);
        assert.ok(stopA, `A stopped ${key} by itself while it could not renew`);
        assert.match(stopA.reason ?? '', /not confirmed/);
        assert.ok(startB);
        assert.equal(startB.token, 2);
        assert.ok(startB.at - lastConfirmed >= LEASE_TIMING.expireAfterMs, `B took ${key} ${startB.at - lastConfirmed} ms after A's last renewal`);
      }
      assert.deepEqual(a.workers.heldKeys(), []);

      // A comes back: its late renewals find the leases gone, and it starts nothing again.
      a.store.thaw();
      await waitFor('A\'s late renewal to report the loss', () => (log.some((entry) => entry.instance === 'A' && entry.what === 'lost') ? true : undefined));
      await sleep(1_000);
      assert.deepEqual(a.workers.heldKeys(), []);
      assert.deepEqual(b.workers.heldKeys().sort(), keys);
      assert.equal(log.filter((entry) => entry.instance === 'A' && entry.what === 'start').length, keys.length, 'A started nothing after the take-over');
      assertNeverTwiceAtOnce(log, keys);
    } finally {
      a.store.thaw();
      a.store.thaw();
      await Promise.all([a.workers.stop(), b.workers.stop()]);
      // Each store holds a connection of its own for its liveness locks.
      await Promise.all([a.store.close(), b.store.close()]);
    }
  });

  it('stops the work at once when a renewal reports the lease taken over', async () => {
    const keys = ['k1', 'k2'];
    const log: Entry[] = [];
    const workKind = kind();
    const a = replica('A', workKind, keys, log);
    const b = replica('B', workKind, keys, log);
    try {
      a.workers.start();
      await waitFor('A to run every key', () => (a.workers.heldKeys().length === keys.length ? true : undefined));
      b.workers.start();
      // A's lease rows look stale without A knowing (as if its renewals had not reached the
      // database for a minute): B takes them over, and A's next renewal reports the loss.
      await dataSource.query(`UPDATE ${SCHEMA}.leases SET renewed_at = now() - interval '1 minute' WHERE resource LIKE $1`, [`${workKind}:%`]);
      await waitFor('B to take the stale leases', () => (b.workers.heldKeys().length === keys.length ? true : undefined), 10_000);
      await waitFor('A to stop its work', () => (a.workers.heldKeys().length === 0 ? true : undefined), 10_000);
      const firstLoss = log.findIndex((entry) => entry.instance === 'A' && entry.what === 'lost');
      assert.ok(firstLoss >= 0, 'A learnt it through a renewal');
      const nextOfA = log.slice(firstLoss).filter((entry) => entry.instance === 'A');
      assert.deepEqual(
        nextOfA.slice(0, 2 * keys.length).map((entry) => `${entry.what} ${entry.key}`).sort(),
        keys.flatMap((key) => [`lost ${key}`, `stop ${key}`]).sort(),
        'the renewal that reports the loss is followed by the stops, before anything else A does',
      );
      for (const key of keys) {
        const stop = nextOfA.find((entry) => entry.what === 'stop' && entry.key === key)!;
        assert.match(stop.reason ?? '', /taken over by another replica/);
        const startB = log.find((entry) => entry.instance === 'B' && entry.what === 'start' && entry.key === key)!;
        assert.equal(startB.token, 2);
      }
      await sleep(LEASE_TIMING.renewEveryMs + 500);
      assert.deepEqual(a.workers.heldKeys(), [], 'A does not take back what B now renews');
    } finally {
      a.store.thaw();
      await Promise.all([a.workers.stop(), b.workers.stop()]);
      // Each store holds a connection of its own for its liveness locks.
      await Promise.all([a.store.close(), b.store.close()]);
    }
  });
});
