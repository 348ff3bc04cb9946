import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { youtube_v3 } from '@googleapis/youtube';
import { adapterTestConfig, callContext } from '../adapter-tests.test-helper.js';
import type { PlatformCallContext, PlatformRefs } from '../platform-adapter.js';
import { PlatformError } from '../platform-error.js';
import { YouTubeAdapter } from './youtube.adapter.js';
import type { YouTubeClientFactory } from './youtube-client.js';
import { YOUTUBE_UNIT_COSTS, type QuotaLedger, type YouTubeMethod } from './youtube-quota.js';
import { broadcastResource, isPlannedBroadcast, onAirOf, plannedStartAt, pushTarget, snippetUpdate, streamResource, viewersOf } from './youtube-requests.js';

const config = adapterTestConfig({
  YOUTUBE_CLIENT_ID: 'streamcaster.apps.example',
  YOUTUBE_CLIENT_SECRET: 'client-secret',
  GOOGLE_AUTH_URL: 'https://accounts.example.test/o/oauth2/v2/auth',
});

function context(overrides: Partial<PlatformCallContext> = {}): PlatformCallContext {
  return callContext({ accountId: 'account-1', externalId: 'UCchannel', accessToken: 'ya29.access', title: 'Friday set', description: 'DJ Fake, live', ...overrides });
}

type Handler = (params: Record<string, unknown>) => unknown;

/**
 * A Data API client that answers from `handlers` and writes down each call; a method without a
 * handler fails the test. Every call the ledger was charged for is in `charged`.
 */
function stubbed(handlers: Partial<Record<YouTubeMethod, Handler>>, refuseQuota = false) {
  const calls: Array<{ method: YouTubeMethod; params: Record<string, unknown> }> = [];
  const charged: YouTubeMethod[] = [];
  const method = (name: YouTubeMethod) => async (params: Record<string, unknown>) => {
    calls.push({ method: name, params });
    const handler = handlers[name];
    if (handler === undefined) throw new Error(`unexpected call ${name}`);
    return { data: await handler(params) };
  };
  const client = {
    channels: { list: method('channels.list') },
    videos: { list: method('videos.list') },
    liveBroadcasts: {
      list: method('liveBroadcasts.list'),
      insert: method('liveBroadcasts.insert'),
      update: method('liveBroadcasts.update'),
      bind: method('liveBroadcasts.bind'),
      transition: method('liveBroadcasts.transition'),
      delete: method('liveBroadcasts.delete'),
    },
    liveStreams: { list: method('liveStreams.list'), insert: method('liveStreams.insert'), delete: method('liveStreams.delete') },
  };
  const quota: QuotaLedger = {
    spend: (_accountId, name) => {
      if (refuseQuota) return Promise.reject(new PlatformError('youtube', 'quota', 'budget spent'));
      charged.push(name);
      return Promise.resolve();
    },
  };
  const clientFor: YouTubeClientFactory = () => Promise.resolve(client as unknown as youtube_v3.Youtube);
  return { adapter: new YouTubeAdapter(config, quota, clientFor), calls, charged, methods: () => calls.map((call) => call.method) };
}

function googleError(status: number, reason: string): unknown {
  return { response: { status, headers: new Headers(), data: { error: { code: status, message: reason, errors: [{ reason }] } } } };
}

const stream = { id: 'stream-1', cdn: { ingestionInfo: { streamName: 'abcd-efgh', rtmpsIngestionAddress: 'rtmps://a.rtmps.youtube.com/live2', ingestionAddress: 'rtmp://a.rtmp.youtube.com/live2' } } };

describe('YouTube request bodies', () => {
  it('a Live broadcast takes the destination privacy (public when unset), no auto start or stop, no monitor stream', () => {
    const planned = '2025-06-06T21:00:00.000Z';
    assert.deepEqual(broadcastResource(context({ privacy: 'unlisted' }), planned), {
      snippet: { title: 'Friday set', description: 'DJ Fake, live', scheduledStartTime: planned },
      status: { privacyStatus: 'unlisted', selfDeclaredMadeForKids: false },
      contentDetails: { enableAutoStart: false, enableAutoStop: false, monitorStream: { enableMonitorStream: false, broadcastStreamDelayMs: 0 } },
    });
    assert.equal(broadcastResource(context(), planned).status?.privacyStatus, 'public');
  });

  it('a Test broadcast is private whatever the privacy, with the monitor stream that `testing` needs', () => {
    const body = broadcastResource(context({ environment: 'test', privacy: 'public' }), '2025-06-06T21:00:00.000Z');
    assert.equal(body.status?.privacyStatus, 'private');
    assert.equal(body.contentDetails?.monitorStream?.enableMonitorStream, true);
    assert.deepEqual([body.contentDetails?.enableAutoStart, body.contentDetails?.enableAutoStop], [false, false]);
  });

  it('plans the start at a whole second, as YouTube keeps it', () => {
    assert.equal(plannedStartAt(new Date('2025-06-06T21:00:05.789Z')), '2025-06-06T21:00:05.000Z');
  });

  it('a stream is RTMP with variable resolution and frame rate, titled after its broadcast', () => {
    assert.deepEqual(streamResource().cdn, { ingestionType: 'rtmp', resolution: 'variable', frameRate: 'variable' });
    assert.equal(streamResource().snippet?.title, 'StreamCaster ingest');
  });

  it('an update sends the whole snippet: the new title, the current description and start', () => {
    const current = { title: 'Old', description: 'Kept', scheduledStartTime: '2025-06-06T21:00:00Z', channelId: 'UC1', publishedAt: 'x' };
    assert.deepEqual(snippetUpdate('bc1', current, { title: 'New' }), {
      id: 'bc1',
      snippet: { title: 'New', description: 'Kept', scheduledStartTime: '2025-06-06T21:00:00Z' },
    });
    assert.equal(snippetUpdate('bc1', current, { description: 'Changed' }).snippet?.title, 'Old');
  });

  it('pushes to the RTMPS ingestion address and the stream name (RTMP where there is no RTMPS)', () => {
    assert.deepEqual(pushTarget(stream), { pushUrl: 'rtmps://a.rtmps.youtube.com/live2/abcd-efgh', secret: 'abcd-efgh' });
    assert.deepEqual(pushTarget({ cdn: { ingestionInfo: { streamName: 'k', ingestionAddress: 'rtmp://h/live2/' } } }), { pushUrl: 'rtmp://h/live2/k', secret: 'k' });
    assert.equal(pushTarget({ cdn: {} }), undefined);
  });

  it('reads lifeCycleStatus as on air or not, and the states YouTube ends a broadcast in as refusals', () => {
    assert.deepEqual(['created', 'ready', 'liveStarting', 'testStarting', 'testing', 'live', 'completeStarting', 'complete'].map(onAirOf), [null, null, null, null, 'testing', 'live', 'complete', 'complete']);
    assert.throws(() => onAirOf('revoked'), (error: unknown) => error instanceof PlatformError && error.kind === 'refused' && /took the broadcast down/.test(error.message));
    assert.throws(() => onAirOf('abandoned'), PlatformError);
  });

  it('reads concurrentViewers, a string, and its absence while live as nobody watching', () => {
    assert.equal(viewersOf({ concurrentViewers: '42' }), 42);
    assert.equal(viewersOf({}), 0);
    assert.equal(viewersOf(undefined), 0);
  });

  it('recognises its own broadcast by title and planned start, only before it started', () => {
    const broadcast = { snippet: { title: 'Friday set', scheduledStartTime: '2025-06-06T21:00:00Z' }, status: { lifeCycleStatus: 'ready' } };
    assert.equal(isPlannedBroadcast(broadcast, 'Friday set', '2025-06-06T21:00:00.000Z'), true);
    assert.equal(isPlannedBroadcast(broadcast, 'Another set', '2025-06-06T21:00:00.000Z'), false);
    assert.equal(isPlannedBroadcast(broadcast, 'Friday set', '2025-06-06T21:00:01.000Z'), false);
    assert.equal(isPlannedBroadcast({ ...broadcast, status: { lifeCycleStatus: 'complete' } }, 'Friday set', '2025-06-06T21:00:00.000Z'), false);
  });
});

describe('YouTube OAuth', () => {
  it("builds Google's authorize URL from config with PKCE S256, offline access and the youtube scope", () => {
    const { adapter } = stubbed({});
    const url = new URL(adapter.oauth.authorizeUrl({ state: 'signed-state', redirectUri: 'https://sc.example/api/platform-accounts/callback/youtube', codeChallenge: 'challenge' }));
    assert.equal(`${url.origin}${url.pathname}`, 'https://accounts.example.test/o/oauth2/v2/auth');
    const query = Object.fromEntries(url.searchParams);
    assert.deepEqual(query, {
      access_type: 'offline',
      prompt: 'consent',
      scope: 'https://www.googleapis.com/auth/youtube',
      state: 'signed-state',
      redirect_uri: 'https://sc.example/api/platform-accounts/callback/youtube',
      code_challenge: 'challenge',
      code_challenge_method: 'S256',
      response_type: 'code',
      client_id: 'streamcaster.apps.example',
    });
    assert.equal(adapter.oauth.usesPkce, true);
  });

  it('names the unset client credentials, and refuses to start a sign-in without them', () => {
    const bare = new YouTubeAdapter(adapterTestConfig({ YOUTUBE_CLIENT_ID: 'id' }), { spend: () => Promise.resolve() });
    assert.deepEqual(bare.oauth.missingConfiguration(), ['YOUTUBE_CLIENT_SECRET']);
    assert.deepEqual(stubbed({}).adapter.oauth.missingConfiguration(), []);
    assert.throws(() => bare.oauth.authorizeUrl({ state: 's', redirectUri: 'https://x/cb', codeChallenge: null }), /YouTube is not configured: set YOUTUBE_CLIENT_SECRET/);
  });

  it('identifies the channel, and refuses a Google account without one', async () => {
    const { adapter } = stubbed({ 'channels.list': () => ({ items: [{ id: 'UCabc', snippet: { title: 'DJ Radio' } }] }) });
    assert.deepEqual(await adapter.oauth.identify('token'), { externalId: 'UCabc', displayName: 'DJ Radio', channelUrl: 'https://www.youtube.com/channel/UCabc' });
    const none = stubbed({ 'channels.list': () => ({ items: [] }) });
    await assert.rejects(none.adapter.oauth.identify('token'), { kind: 'refused', message: 'YouTube (reading the channel): this Google account has no YouTube channel' });
  });
});

describe('YouTube broadcaster', () => {
  const saved: PlatformRefs[] = [];
  const saveRefs = (refs: PlatformRefs): Promise<void> => {
    saved.push(refs);
    return Promise.resolve();
  };

  it('prepares: plans, inserts, creates the channel\'s stream, binds, saving each id as soon as it exists', async () => {
    saved.length = 0;
    const { adapter, calls, methods } = stubbed({
      'liveBroadcasts.insert': () => ({ id: 'bc1' }),
      'liveStreams.list': () => ({ items: [] }),
      'liveStreams.insert': () => stream,
      'liveBroadcasts.bind': () => ({ id: 'bc1' }),
    });
    const ingest = await adapter.broadcaster.prepare(context(), {}, saveRefs);
    assert.deepEqual(ingest, { pushUrl: 'rtmps://a.rtmps.youtube.com/live2/abcd-efgh', secret: 'abcd-efgh', watchUrl: 'https://www.youtube.com/watch?v=bc1' });
    assert.deepEqual(methods(), ['liveBroadcasts.insert', 'liveStreams.list', 'liveStreams.insert', 'liveBroadcasts.bind']);
    assert.deepEqual(saved.map((refs) => Object.keys(refs).sort().join(',')), ['plannedStart', 'broadcastId,plannedStart', 'broadcastId,plannedStart,streamId', 'bound,broadcastId,plannedStart,streamId']);
    const inserted = calls[0]?.params as { part: string[]; requestBody: youtube_v3.Schema$LiveBroadcast };
    assert.deepEqual(inserted.part, ['snippet', 'status', 'contentDetails']);
    assert.equal(inserted.requestBody.snippet?.scheduledStartTime, saved[0]?.['plannedStart']);
    assert.deepEqual(calls[3]?.params, { id: 'bc1', streamId: 'stream-1', part: ['id', 'contentDetails'] });
  });

  it('binds to the channel\'s reusable stream when it has one that nothing sends to: no insert', async () => {
    const reusable = { ...stream, id: 'stream-kept', snippet: { title: 'StreamCaster ingest' }, status: { streamStatus: 'inactive' } };
    const busy = { ...stream, id: 'stream-busy', snippet: { title: 'StreamCaster ingest' }, status: { streamStatus: 'active' } };
    const other = { ...stream, id: 'stream-other', snippet: { title: 'OBS direct' }, status: { streamStatus: 'ready' } };
    const { adapter, methods, calls } = stubbed({
      'liveBroadcasts.insert': () => ({ id: 'bc2' }),
      'liveStreams.list': () => ({ items: [busy, other, reusable] }),
      'liveBroadcasts.bind': () => ({}),
    });
    await adapter.broadcaster.prepare(context(), {}, saveRefs);
    assert.deepEqual(methods(), ['liveBroadcasts.insert', 'liveStreams.list', 'liveBroadcasts.bind']);
    assert.equal((calls[2]?.params as { streamId: string }).streamId, 'stream-kept');
  });

  it('resumes a prepare that its refs show done: only reads the stream for its address', async () => {
    const { adapter, methods } = stubbed({ 'liveStreams.list': () => ({ items: [stream] }) });
    const ingest = await adapter.broadcaster.prepare(context(), { plannedStart: '2025-06-06T21:00:00.000Z', broadcastId: 'bc1', streamId: 'stream-1', bound: 'true' }, saveRefs);
    assert.equal(ingest.pushUrl, 'rtmps://a.rtmps.youtube.com/live2/abcd-efgh');
    assert.deepEqual(methods(), ['liveStreams.list']);
  });

  it('adopts the broadcast an interrupted insert created, instead of a second one', async () => {
    saved.length = 0;
    const planned = '2025-06-06T21:00:00.000Z';
    const { adapter, methods } = stubbed({
      'liveBroadcasts.list': () => ({ items: [{ id: 'bc-old', snippet: { title: 'Friday set', scheduledStartTime: '2025-06-06T21:00:00Z' }, status: { lifeCycleStatus: 'created' } }] }),
      'liveStreams.list': () => ({ items: [] }),
      'liveStreams.insert': () => stream,
      'liveBroadcasts.bind': () => ({}),
    });
    await adapter.broadcaster.prepare(context(), { plannedStart: planned }, saveRefs);
    assert.deepEqual(methods(), ['liveBroadcasts.list', 'liveStreams.list', 'liveStreams.insert', 'liveBroadcasts.bind']);
    assert.equal(saved.at(-1)?.['broadcastId'], 'bc-old');
  });

  it('charges every call to the ledger before making it, and makes none the ledger refuses', async () => {
    const { adapter, charged, methods } = stubbed({
      'liveBroadcasts.insert': () => ({ id: 'bc1' }),
      'liveStreams.list': () => ({ items: [] }),
      'liveStreams.insert': () => stream,
      'liveBroadcasts.bind': () => ({}),
    });
    await adapter.broadcaster.prepare(context(), {}, saveRefs);
    assert.deepEqual(charged, methods());
    const refused = stubbed({ 'liveBroadcasts.insert': () => ({ id: 'bc1' }) }, true);
    await assert.rejects(refused.adapter.broadcaster.prepare(context(), {}, saveRefs), { kind: 'quota' });
    assert.deepEqual(refused.methods(), []);
  });

  it('observes a live broadcast for 2 units: the stream status, then videos.list with its viewers', async () => {
    const { adapter, charged } = stubbed({
      'liveStreams.list': () => ({ items: [{ id: 'stream-1', status: { streamStatus: 'active' } }] }),
      'videos.list': () => ({ items: [{ liveStreamingDetails: { actualStartTime: '2025-06-06T21:00:10Z', concurrentViewers: '17' } }] }),
    });
    assert.deepEqual(await adapter.broadcaster.observe(context(), { broadcastId: 'bc1', streamId: 'stream-1' }, true), { receiving: true, onAir: 'live', viewers: 17 });
    assert.deepEqual(charged, ['liveStreams.list', 'videos.list']);
  });

  it('observes a Test broadcast by its lifeCycleStatus, without viewers', async () => {
    const { adapter, methods } = stubbed({
      'liveStreams.list': () => ({ items: [{ status: { streamStatus: 'active' } }] }),
      'liveBroadcasts.list': () => ({ items: [{ status: { lifeCycleStatus: 'testing' } }] }),
    });
    assert.deepEqual(await adapter.broadcaster.observe(context({ environment: 'test' }), { broadcastId: 'bc1', streamId: 'stream-1' }, true), { receiving: true, onAir: 'testing', viewers: null });
    assert.deepEqual(methods(), ['liveStreams.list', 'liveBroadcasts.list']);
  });

  it('observes a stream YouTube does not see yet, with a note while the relay sends', async () => {
    const { adapter } = stubbed({
      'liveStreams.list': () => ({ items: [{ status: { streamStatus: 'ready' } }] }),
      'liveBroadcasts.list': () => ({ items: [{ status: { lifeCycleStatus: 'ready' } }] }),
    });
    assert.deepEqual(await adapter.broadcaster.observe(context(), { broadcastId: 'bc1', streamId: 'stream-1' }, true), {
      receiving: false,
      onAir: null,
      viewers: null,
      note: 'sending; YouTube does not see the stream yet',
    });
  });

  it('goes on air with a transition to live in Live and to testing in Test', async () => {
    for (const [environment, target] of [['live', 'live'], ['test', 'testing']] as const) {
      const { adapter, calls } = stubbed({ 'liveBroadcasts.list': () => ({ items: [{ status: { lifeCycleStatus: 'ready' } }] }), 'liveBroadcasts.transition': () => ({}) });
      await adapter.broadcaster.goOnAir(context({ environment }), { broadcastId: 'bc1', streamId: 's' }, saveRefs);
      assert.deepEqual(calls.at(-1)?.params, { id: 'bc1', broadcastStatus: target, part: ['status'] });
    }
  });

  it('does not pay for a transition already under way, and takes redundantTransition as success', async () => {
    const starting = stubbed({ 'liveBroadcasts.list': () => ({ items: [{ status: { lifeCycleStatus: 'liveStarting' } }] }) });
    await starting.adapter.broadcaster.goOnAir(context(), { broadcastId: 'bc1', streamId: 's' }, saveRefs);
    assert.deepEqual(starting.methods(), ['liveBroadcasts.list']);
    const redundant = stubbed({
      'liveBroadcasts.list': () => ({ items: [{ status: { lifeCycleStatus: 'ready' } }] }),
      'liveBroadcasts.transition': () => Promise.reject(googleError(403, 'redundantTransition')),
    });
    await redundant.adapter.broadcaster.goOnAir(context(), { broadcastId: 'bc1', streamId: 's' }, saveRefs);
  });

  it('goOnAir before YouTube receives is transient with the reason', async () => {
    const { adapter } = stubbed({
      'liveBroadcasts.list': () => ({ items: [{ status: { lifeCycleStatus: 'ready' } }] }),
      'liveBroadcasts.transition': () => Promise.reject(googleError(403, 'errorStreamInactive')),
    });
    await assert.rejects(adapter.broadcaster.goOnAir(context(), { broadcastId: 'bc1', streamId: 's' }, saveRefs), { kind: 'transient', message: "YouTube (changing the broadcast's status): YouTube does not receive the stream yet" });
  });

  it('updates the text by reading the snippet first and sending it whole', async () => {
    const { adapter, calls } = stubbed({
      'liveBroadcasts.list': () => ({ items: [{ snippet: { title: 'Old', description: 'Desc', scheduledStartTime: '2025-06-06T21:00:00Z' } }] }),
      'liveBroadcasts.update': () => ({}),
    });
    await adapter.broadcaster.updateText(context(), { broadcastId: 'bc1', streamId: 's' }, { title: 'New title' });
    assert.deepEqual(calls.map((call) => call.method), ['liveBroadcasts.list', 'liveBroadcasts.update']);
    assert.deepEqual(calls[1]?.params, { part: ['snippet'], requestBody: { id: 'bc1', snippet: { title: 'New title', description: 'Desc', scheduledStartTime: '2025-06-06T21:00:00Z' } } });
  });

  it('ends a broadcast on air with a transition to complete, deletes one that never started, leaves an ended one', async () => {
    const byStatus = (lifeCycleStatus: string) =>
      stubbed({ 'liveBroadcasts.list': () => ({ items: [{ status: { lifeCycleStatus } }] }), 'liveBroadcasts.transition': () => ({}), 'liveBroadcasts.delete': () => '' });
    const live = byStatus('live');
    await live.adapter.broadcaster.end(context(), { broadcastId: 'bc1' });
    assert.deepEqual(live.calls.at(-1), { method: 'liveBroadcasts.transition', params: { id: 'bc1', broadcastStatus: 'complete', part: ['status'] } });
    const ready = byStatus('ready');
    await ready.adapter.broadcaster.end(context(), { broadcastId: 'bc1' });
    assert.deepEqual(ready.calls.at(-1), { method: 'liveBroadcasts.delete', params: { id: 'bc1' } });
    const complete = byStatus('complete');
    await complete.adapter.broadcaster.end(context(), { broadcastId: 'bc1' });
    assert.deepEqual(complete.methods(), ['liveBroadcasts.list']);
    const none = stubbed({});
    await none.adapter.broadcaster.end(context(), {});
    assert.deepEqual(none.methods(), []);
  });

  it('a broadcast hour costs at most 600 units: create, 30 s of confirmation polls, go on air, 120 polls of 30 s, end', async () => {
    let lifeCycleStatus = 'ready';
    let streamStatus = 'ready';
    const { adapter, charged } = stubbed({
      'liveBroadcasts.insert': () => ({ id: 'bc1' }),
      'liveStreams.insert': () => stream,
      'liveBroadcasts.bind': () => ({}),
      'liveStreams.list': () => ({ items: [{ status: { streamStatus } }] }),
      'liveBroadcasts.list': () => ({ items: [{ status: { lifeCycleStatus } }] }),
      'videos.list': () => ({ items: [{ liveStreamingDetails: lifeCycleStatus === 'live' ? { actualStartTime: 'x', concurrentViewers: '5' } : {} }] }),
      'liveBroadcasts.transition': () => {
        lifeCycleStatus = 'live';
        return {};
      },
    });
    const refs: PlatformRefs = {};
    await adapter.broadcaster.prepare(context(), refs, (saved) => Promise.resolve(void Object.assign(refs, saved)));
    for (let second = 0; second < 25; second += 1) await adapter.broadcaster.observe(context(), refs, true);
    streamStatus = 'active';
    for (let second = 0; second < 5; second += 1) await adapter.broadcaster.observe(context(), refs, true);
    await adapter.broadcaster.goOnAir(context(), refs, saveRefs);
    for (let poll = 0; poll < 120; poll += 1) await adapter.broadcaster.observe(context(), refs, true);
    await adapter.broadcaster.end(context(), refs);
    const units = charged.reduce((sum, method) => sum + YOUTUBE_UNIT_COSTS[method], 0);
    assert.ok(units <= 600, `${units} units`);
    // The first set on a channel inserts its reusable stream (1 + 50); later ones only find it (1).
    assert.equal(units, 151 + 25 * 2 + 5 * 3 + 51 + 120 * 2 + 51);
  });

  it('a 200 answer that is not JSON is transient', async () => {
    const { adapter } = stubbed({ 'liveStreams.list': () => '<html>proxy</html>' });
    await assert.rejects(adapter.broadcaster.observe(context(), { broadcastId: 'bc1', streamId: 's' }, false), { kind: 'transient' });
  });
});
