import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BroadcastState, PlatformState, RelayState } from '@streamcaster/contracts';
import type { AccountAccess } from '../platform-accounts/platform-accounts.service.js';
import type { PlatformBroadcaster, PlatformObservation, PlatformRefs, PreparedIngest } from '../platforms/platform-adapter.js';
import { PlatformError } from '../platforms/platform-error.js';
import { PlatformSession, stateOf, type PlatformSessionDeps, type SessionRow } from './platform-session.js';

/**
 * The session's own state machine, against a scripted broadcaster (the adapters themselves are tested
 * against the platform fakes): what it saves, when it retries, when it gives up, when it stops.
 */
interface Script {
  prepare?: (refs: PlatformRefs, save: (refs: PlatformRefs) => Promise<void>) => Promise<PreparedIngest>;
  observe?: (relayLive: boolean, calls: number) => PlatformObservation;
  goOnAir?: () => Promise<void>;
  end?: (calls: number) => Promise<void>;
}

function harness(script: Script, options: { relayState?: RelayState; broadcastState?: BroadcastState; row?: Partial<SessionRow> } = {}) {
  const row = {
    broadcastId: 'b1',
    destinationId: 'd1',
    name: 'YouTube main',
    platform: 'youtube',
    state: options.relayState ?? 'pending',
    accountId: 'a1',
    platformState: 'creating' as PlatformState | null,
    platformReason: null as string | null,
    platformRefs: {} as PlatformRefs,
    platformIngestSealed: null as string | null,
    watchUrl: null as string | null,
    viewers: null as number | null,
    platformFinished: false,
    broadcast: { id: 'b1', state: options.broadcastState ?? 'live', environment: 'live', title: 'Set', description: '', startedAt: new Date() },
    ...options.row,
  } as unknown as SessionRow;
  const saves: Array<Record<string, unknown>> = [];
  const calls = { prepare: 0, observe: 0, goOnAir: 0, end: 0, refresh: 0, changed: 0 };
  const viewers: Array<number | null> = [];
  let leaseHeld = true;
  let token = 'token-1';
  const broadcaster: PlatformBroadcaster = {
    prepare: async (_context, refs, save) => {
      calls.prepare += 1;
      return (script.prepare ?? (async () => ({ pushUrl: 'rtmps://ingest/app/key', secret: 'key', watchUrl: 'https://watch/1' })))(refs, save);
    },
    observe: async (context, _refs, relayLive) => {
      calls.observe += 1;
      if (context.accessToken === 'revoked-token') throw new PlatformError('youtube', 'auth', 'token refused');
      return (script.observe ?? (() => ({ receiving: relayLive, onAir: null, viewers: null })))(relayLive, calls.observe);
    },
    goOnAir: async () => {
      calls.goOnAir += 1;
      await script.goOnAir?.();
    },
    updateText: async () => undefined,
    end: async () => {
      calls.end += 1;
      await script.end?.(calls.end);
    },
  };
  const deps: PlatformSessionDeps = {
    adapter: { platform: 'youtube', broadcaster, oauth: {} as PlatformSessionDeps['adapter']['oauth'] },
    load: async () => ({ ...row, broadcast: { ...row.broadcast }, platformRefs: { ...row.platformRefs } }) as SessionRow,
    save: async (changes) => {
      if (!leaseHeld) return false;
      saves.push(changes);
      Object.assign(row, changes);
      return true;
    },
    access: async (): Promise<AccountAccess> => ({ accountId: 'a1', platform: 'youtube', environment: 'live', externalId: 'UC1', accessToken: token }),
    refreshAfterRefusal: async () => {
      calls.refresh += 1;
      token = 'token-2';
      return { accountId: 'a1', platform: 'youtube', environment: 'live', externalId: 'UC1', accessToken: token };
    },
    accountUsable: async () => true,
    privacyOf: async () => 'public',
    sealIngest: (ingest) => `sealed:${ingest.pushUrl}`,
    changed: () => {
      calls.changed += 1;
    },
    viewers: (_row, count) => viewers.push(count),
    timing: { confirmPollMs: 5, viewersPollMs: 20, retryMaxMs: 10, requestTimeoutMs: 1_000 },
  };
  const session = new PlatformSession('b1:d1', 'youtube', deps);
  return {
    row,
    saves,
    calls,
    viewers,
    session,
    revokeToken: () => (token = 'revoked-token'),
    loseLease: () => (leaseHeld = false),
    until: async (condition: () => boolean, what: string) => {
      const deadline = Date.now() + 3_000;
      while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}; row: ${JSON.stringify({ ...row, broadcast: undefined })}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    },
  };
}

describe('PlatformSession', () => {
  it('creates the broadcast, saves the sealed ingest and watch page, and says ready while the relay is not live', async () => {
    const h = harness({});
    h.session.start();
    await h.until(() => h.row.platformState === 'ready', 'ready');
    await h.session.stop();
    assert.equal(h.row.platformIngestSealed, 'sealed:rtmps://ingest/app/key');
    assert.equal(h.row.watchUrl, 'https://watch/1');
    assert.equal(h.calls.prepare, 1);
    assert.ok(h.calls.changed >= 1, 'relays and the dashboard were told');
  });

  it('keeps the ids saved by each step, so that a resumed prepare gets them back', async () => {
    const seen: PlatformRefs[] = [];
    let crash = true;
    const h = harness({
      prepare: async (refs, save) => {
        seen.push(refs);
        if (!refs.broadcastId) await save({ ...refs, broadcastId: 'yt-1' });
        if (crash) {
          crash = false;
          throw new PlatformError('youtube', 'transient', 'connection reset');
        }
        return { pushUrl: 'rtmps://ingest/app/key', secret: 'key', watchUrl: null };
      },
    });
    h.session.start();
    await h.until(() => h.row.platformState === 'ready', 'ready after the retry');
    await h.session.stop();
    assert.deepEqual(seen, [{}, { broadcastId: 'yt-1' }]);
    assert.equal(h.row.platformRefs.broadcastId, 'yt-1');
  });

  it('shows a transient failure while creating as a retry with its reason, not as an error', async () => {
    let failures = 2;
    const h = harness({
      prepare: async () => {
        if (failures-- > 0) throw new PlatformError('youtube', 'transient', 'YouTube answered an HTML page instead of JSON');
        return { pushUrl: 'rtmps://x/app/k', secret: 'k', watchUrl: null };
      },
    });
    h.session.start();
    await h.until(() => h.row.platformState === 'ready', 'ready');
    await h.session.stop();
    const retried = h.saves.find((save) => typeof save.platformReason === 'string' && save.platformReason.includes('HTML'));
    assert.equal(retried?.platformState, 'creating');
    assert.match(String(retried?.platformReason), /trying again in \d+ s/);
    assert.ok(!h.saves.some((save) => save.platformState === 'error'));
  });

  it('once the platform receives, puts it on air and confirms live with the viewers', async () => {
    let onAir = false;
    const h = harness(
      {
        observe: (relayLive) => ({ receiving: relayLive, onAir: onAir ? 'live' : null, viewers: onAir ? 42 : null }),
        goOnAir: async () => {
          onAir = true;
        },
      },
      { relayState: 'live', row: { platformIngestSealed: 'sealed', platformState: 'ready', platformRefs: { broadcastId: 'yt-1' } } },
    );
    h.session.start();
    await h.until(() => h.row.platformState === 'live', 'live');
    await h.session.stop();
    assert.equal(h.calls.goOnAir, 1);
    assert.equal(h.row.viewers, 42);
    assert.deepEqual(h.viewers.slice(0, 1), [42]);
  });

  it('says "waiting for data" while the relay sends and the platform does not see it yet', async () => {
    const h = harness(
      { observe: () => ({ receiving: false, onAir: null, viewers: null }) },
      { relayState: 'live', row: { platformIngestSealed: 'sealed', platformState: 'ready' } },
    );
    h.session.start();
    await h.until(() => h.row.platformState === 'waiting-for-data', 'waiting-for-data');
    await h.session.stop();
    assert.match(String(h.row.platformReason), /YouTube does not confirm that it receives yet/);
    assert.equal(h.calls.goOnAir, 0);
  });

  it('refreshes a refused token once and goes on with the new one', async () => {
    const h = harness({ observe: () => ({ receiving: true, onAir: 'live', viewers: 1 }) }, { relayState: 'live', row: { platformIngestSealed: 'sealed', platformState: 'ready' } });
    h.revokeToken();
    h.session.start();
    await h.until(() => h.row.platformState === 'live', 'live');
    await h.session.stop();
    assert.equal(h.calls.refresh, 1);
  });

  it('puts a refusal on the destination as an error with the reason, and does not call the platform again', async () => {
    const h = harness({
      prepare: async () => {
        throw new PlatformError('youtube', 'refused', 'live streaming is not enabled on this YouTube channel');
      },
    });
    h.session.start();
    await h.until(() => h.row.platformState === 'error', 'error');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await h.session.stop();
    assert.equal(h.row.platformReason, 'live streaming is not enabled on this YouTube channel');
    assert.equal(h.calls.prepare, 1);
  });

  it('refuses a title longer than the platform takes before any call, with the limit in words', async () => {
    const h = harness({}, { row: { broadcast: { id: 'b1', state: 'live', environment: 'live', title: 'x'.repeat(101), description: '', startedAt: new Date() } as SessionRow['broadcast'] } });
    h.session.start();
    await h.until(() => h.row.platformState === 'error', 'error');
    await h.session.stop();
    assert.equal(h.calls.prepare, 0);
    assert.match(String(h.row.platformReason), /^YouTube takes titles of at most 100 characters; this one has 101; shorten it/);
  });

  it('tries again once the text that was refused is edited', async () => {
    const h = harness({}, { row: { broadcast: { id: 'b1', state: 'live', environment: 'live', title: 'x'.repeat(101), description: '', startedAt: new Date() } as SessionRow['broadcast'] } });
    h.session.start();
    await h.until(() => h.row.platformState === 'error', 'error');
    h.row.broadcast.title = 'Short enough';
    await h.until(() => h.row.platformState === 'ready', 'ready with the new title');
    await h.session.stop();
    assert.equal(h.calls.prepare, 1);
  });

  it('ends the broadcast at the platform once the broadcast is over, and finishes', async () => {
    const h = harness({}, { broadcastState: 'ending', row: { platformIngestSealed: 'sealed', platformState: 'live', platformRefs: { broadcastId: 'yt-1' } } });
    h.session.start();
    await h.until(() => h.row.platformFinished, 'finished');
    await h.session.stop();
    assert.equal(h.calls.end, 1);
    assert.equal(h.row.platformState, 'complete');
  });

  it('retries a failing end, then gives up with the reason and finishes', async () => {
    const h = harness(
      {
        end: async () => {
          throw new PlatformError('youtube', 'transient', 'YouTube did not answer within 10 s');
        },
      },
      { broadcastState: 'ended', row: { platformIngestSealed: 'sealed', platformState: 'live', platformRefs: { broadcastId: 'yt-1' } } },
    );
    h.session.start();
    await h.until(() => h.row.platformFinished, 'finished');
    await h.session.stop();
    assert.equal(h.calls.end, 12);
    assert.equal(h.row.platformState, 'error');
    assert.match(String(h.row.platformReason), /could not end the broadcast on YouTube: YouTube did not answer within 10 s; end it there by hand/);
  });

  it('finishes at once when nothing was created at the platform', async () => {
    const h = harness({}, { broadcastState: 'ended' });
    h.session.start();
    await h.until(() => h.row.platformFinished, 'finished');
    await h.session.stop();
    assert.equal(h.calls.end, 0);
    assert.equal(h.row.platformState, 'complete');
  });

  it('stops without another call once its lease went to another replica', async () => {
    const h = harness({ observe: () => ({ receiving: false, onAir: null, viewers: null }) }, { relayState: 'live', row: { platformIngestSealed: 'sealed', platformState: 'ready' } });
    h.loseLease();
    h.session.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const observed = h.calls.observe;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await h.session.stop();
    assert.equal(observed, 1, 'one observation, whose result could not be saved');
    assert.equal(h.calls.observe, 1);
    assert.equal(h.saves.length, 0);
  });
});

describe('stateOf', () => {
  it('is what the platform says on air, else waiting for data while we send, else ready', () => {
    assert.equal(stateOf({ receiving: true, onAir: 'live', viewers: null }, true), 'live');
    assert.equal(stateOf({ receiving: true, onAir: 'testing', viewers: null }, true), 'testing');
    assert.equal(stateOf({ receiving: false, onAir: null, viewers: null }, true), 'waiting-for-data');
    assert.equal(stateOf({ receiving: false, onAir: null, viewers: null }, false), 'ready');
  });
});
