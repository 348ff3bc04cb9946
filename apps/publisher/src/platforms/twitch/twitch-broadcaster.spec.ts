import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PublisherConfig } from '../../config/publisher.config.js';
import { callContext, refusal } from '../adapter-tests.test-helper.js';
import type { PlatformCallContext, PlatformRefs } from '../platform-adapter.js';
import { TWITCH_BANDWIDTH_TEST_NOTE, TwitchBroadcaster } from './twitch-broadcaster.js';
import type { TwitchAccount, TwitchCall, TwitchHelix } from './twitch-helix.js';

/** The requests the Twitch broadcaster makes, against a recording stand-in for twurple. */

const KEY = 'live_141981764_0123456789abcdef';

class RecordingHelix implements TwitchHelix {
  readonly calls: string[] = [];
  readonly tokens: string[] = [];
  account: TwitchAccount = { id: '141981764', login: 'djfake' };
  live: { viewers: number } | null = null;

  async authenticatedUser(call: TwitchCall): Promise<TwitchAccount> {
    this.record(call, 'GET /users');
    return this.account;
  }

  async updateChannel(call: TwitchCall, broadcasterId: string, update: { title: string; gameId?: string }): Promise<void> {
    this.record(call, `PATCH /channels ${broadcasterId} ${JSON.stringify(update)}`);
  }

  async streamKey(call: TwitchCall, broadcasterId: string): Promise<string> {
    this.record(call, `GET /streams/key ${broadcasterId}`);
    return KEY;
  }

  async liveStream(call: TwitchCall, userId: string): Promise<{ viewers: number } | null> {
    this.record(call, `GET /streams ${userId}`);
    return this.live;
  }

  private record(call: TwitchCall, what: string): void {
    this.calls.push(what);
    this.tokens.push(call.accessToken);
  }
}

function config(categoryId: string | null = '26936'): PublisherConfig {
  return { twitchIngestUrl: 'rtmps://ingest.example/app', twitchCategoryId: categoryId } as PublisherConfig;
}

function context(overrides: Partial<PlatformCallContext> = {}): PlatformCallContext {
  return callContext({ accountId: 'a1', externalId: '141981764', accessToken: 'token-1', title: 'Friday set', description: 'ignored by Twitch', ...overrides });
}

function setup(categoryId?: string | null): { helix: RecordingHelix; broadcaster: TwitchBroadcaster; saved: PlatformRefs[]; save: (refs: PlatformRefs) => Promise<void> } {
  const helix = new RecordingHelix();
  const saved: PlatformRefs[] = [];
  return { helix, broadcaster: new TwitchBroadcaster(config(categoryId), helix), saved, save: async (refs) => void saved.push(refs) };
}

describe('Twitch broadcaster', () => {
  it('prepare in Live: reads the login once (saved), sets title and category, pushes to the ingest with the key', async () => {
    const { helix, broadcaster, saved, save } = setup();
    const ingest = await broadcaster.prepare(context(), {}, save);
    assert.deepEqual(helix.calls, ['GET /users', 'PATCH /channels 141981764 {"title":"Friday set","gameId":"26936"}', 'GET /streams/key 141981764']);
    assert.deepEqual(new Set(helix.tokens), new Set(['token-1']));
    assert.deepEqual(saved, [{ login: 'djfake' }]);
    assert.deepEqual(ingest, { pushUrl: `rtmps://ingest.example/app/${KEY}`, secret: KEY, watchUrl: 'https://www.twitch.tv/djfake' });
  });

  it('prepare resumed with the saved login does not read the user again; no category when none is configured', async () => {
    const { helix, broadcaster, saved, save } = setup(null);
    const ingest = await broadcaster.prepare(context(), { login: 'djfake' }, save);
    assert.deepEqual(helix.calls, ['PATCH /channels 141981764 {"title":"Friday set"}', 'GET /streams/key 141981764']);
    assert.deepEqual(saved, []);
    assert.equal(ingest.watchUrl, 'https://www.twitch.tv/djfake');
  });

  it('prepare in Test appends ?bandwidthtest=true to the key, and leaves the public channel title alone', async () => {
    const { helix, broadcaster, save } = setup();
    const ingest = await broadcaster.prepare(context({ environment: 'test' }), {}, save);
    assert.equal(ingest.pushUrl, `rtmps://ingest.example/app/${KEY}?bandwidthtest=true`);
    assert.equal(ingest.secret, KEY);
    assert.ok(!helix.calls.some((call) => call.startsWith('PATCH /channels')), `a rehearsal changed the title: ${helix.calls.join(', ')}`);
    const edit = await refusal(broadcaster.updateText(context({ environment: 'test' }), { login: 'djfake' }, { title: 'Rehearsal title' }));
    assert.equal(edit.kind, 'refused');
    assert.match(edit.message, /a rehearsal does not change the channel's title/);
    assert.ok(!helix.calls.some((call) => call.startsWith('PATCH /channels')));
  });

  it('refuses a title over 140 characters before calling Twitch', async () => {
    const { helix, broadcaster, save } = setup();
    const error = await refusal(broadcaster.prepare(context({ title: 'x'.repeat(141) }), {}, save));
    assert.equal(error.kind, 'refused');
    assert.match(error.message, /at most 140 characters; this one has 141/);
    const update = await refusal(broadcaster.updateText(context(), { login: 'djfake' }, { title: '🎧'.repeat(141) }));
    assert.equal(update.kind, 'refused');
    assert.deepEqual(helix.calls, []);
    // 140 characters of four UTF-8 bytes each are 140 characters.
    await broadcaster.updateText(context(), { login: 'djfake' }, { title: '🎧'.repeat(140) });
    assert.equal(helix.calls.length, 1);
  });

  it('refuses a token that belongs to another Twitch user than the connected channel', async () => {
    const { helix, broadcaster, save } = setup();
    helix.account = { id: '999', login: 'someoneelse' };
    const error = await refusal(broadcaster.prepare(context(), {}, save));
    assert.deepEqual([error.kind, helix.calls], ['refused', ['GET /users']]);
    assert.match(error.message, /belongs to someoneelse, not to the connected channel/);
  });

  it('observe in Live: live with the viewers while GET /streams lists the channel, nothing otherwise', async () => {
    const { helix, broadcaster } = setup();
    assert.deepEqual(await broadcaster.observe(context(), {}, true), { receiving: false, onAir: null, viewers: null });
    helix.live = { viewers: 42 };
    assert.deepEqual(await broadcaster.observe(context(), {}, true), { receiving: true, onAir: 'live', viewers: 42 });
    assert.deepEqual(helix.calls, ['GET /streams 141981764', 'GET /streams 141981764']);
  });

  it("observe in Test: the relay's word only, with the note, and no call", async () => {
    const { helix, broadcaster } = setup();
    helix.live = { viewers: 3 };
    assert.deepEqual(await broadcaster.observe(context({ environment: 'test' }), {}, true), { receiving: true, onAir: 'testing', viewers: null, note: TWITCH_BANDWIDTH_TEST_NOTE });
    assert.deepEqual(await broadcaster.observe(context({ environment: 'test' }), {}, false), { receiving: false, onAir: null, viewers: null, note: TWITCH_BANDWIDTH_TEST_NOTE });
    assert.deepEqual(helix.calls, []);
  });

  it('updateText sends the title only (Twitch has no description); goOnAir and end call nothing', async () => {
    const { helix, broadcaster } = setup();
    await broadcaster.updateText(context({ accessToken: 'token-2' }), {}, { title: 'New title', description: 'not sent' });
    await broadcaster.updateText(context(), {}, { description: 'alone' });
    await broadcaster.goOnAir(context(), {}, async () => undefined);
    await broadcaster.end(context(), {});
    assert.deepEqual(helix.calls, ['PATCH /channels 141981764 {"title":"New title"}']);
    assert.deepEqual(helix.tokens, ['token-2']);
  });
});
