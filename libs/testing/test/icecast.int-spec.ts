import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runOnce } from '@streamcaster/supervisor';
import {
  freePort,
  IcecastServer,
  publishToIcecast,
  readIcecastHookForm,
  waitFor,
  type IcecastSource,
  type IcecastSourceFormat,
  type IcecastTrack,
} from '../src/index.js';

// Debian's icecast2 (2.4.4) with StreamCaster's production config (infra/icecast/icecast.xml.template),
// in front of a tiny hook server that stands in for the gateway's internal hook listener: it admits
// one DJ (mount and key) and StreamCaster's reader, and refuses everything else. What this file
// establishes is written up in docs/icecast.md; the figures it prints are the ones quoted there.

const SECRET = 'hook-secret-42';
const DJ = { mount: '/live/dj-a', key: 'key-dj-a-0123' };
const READER = { user: 'streamcaster', password: 'reader-secret-77' };

interface HookCall {
  at: number;
  path: string;
  secret: string | null;
  headers: IncomingHttpHeaders;
  fields: Record<string, string>;
}

/** The gateway's part, as the template's hooks expect it: a form POST in, a header out. */
class GatewayHook {
  readonly calls: HookCall[] = [];
  /** 'silent': receive the request and never answer (a gateway that hangs). */
  mode: 'answer' | 'silent' = 'answer';
  /** The HTTP status of an admitting answer; Icecast only reads the header. */
  admitStatus = 200;
  /** Send no `icecast-auth-user: 1` even when admitting (a 200 that is not a yes). */
  withholdHeader = false;
  private readonly held: ServerResponse[] = [];
  private server!: Server;
  baseUrl = '';

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      void readIcecastHookForm(request).then((form) => {
        const url = new URL(request.url ?? '/', 'http://hook');
        const call: HookCall = { at: Date.now(), path: url.pathname, secret: url.searchParams.get('secret'), headers: request.headers, fields: Object.fromEntries(form) };
        this.calls.push(call);
        if (this.mode === 'silent') {
          this.held.push(response);
          return;
        }
        if (this.admits(call) && !this.withholdHeader) response.writeHead(this.admitStatus, { 'icecast-auth-user': '1' }).end();
        else response.writeHead(403, { 'icecast-auth-message': 'refused by the test gateway' }).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    assert.ok(typeof address === 'object' && address);
    this.baseUrl = `http://127.0.0.1:${address.port}/api/hooks`;
  }

  private admits(call: HookCall): boolean {
    if (call.secret !== SECRET) return false;
    const { action, mount, user, pass } = call.fields;
    switch (action) {
      case 'stream_auth':
        return call.path === '/api/hooks/icecast/source' && mount === DJ.mount && user === 'source' && pass === DJ.key;
      case 'listener_add':
        return call.path === '/api/hooks/icecast/listener' && user === READER.user && pass === READER.password;
      case 'mount_add':
      case 'mount_remove':
      case 'listener_remove':
        return true;
      default:
        return false;
    }
  }

  since(from: number, action: string): HookCall[] {
    return this.calls.filter((call) => call.at >= from && call.fields.action === action);
  }

  releaseHeld(): void {
    for (const response of this.held.splice(0)) response.destroy();
  }

  stop(): Promise<void> {
    this.releaseHeld();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** When each (artist, title) first showed on `/status-json.xsl` for one mount, polled every 100 ms. */
class TitleWatcher {
  readonly firstSeen = new Map<string, number>();
  private running = true;
  private readonly loop: Promise<void>;

  constructor(icecast: IcecastServer, mount: string) {
    this.loop = (async () => {
      while (this.running) {
        const status = await icecast.mount(mount).catch(() => undefined);
        if (status && (status.title !== undefined || status.artist !== undefined)) {
          const key = `${status.artist ?? ''}|${status.title ?? ''}`;
          if (!this.firstSeen.has(key)) this.firstSeen.set(key, Date.now());
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
  }

  stop(): Promise<void> {
    this.running = false;
    return this.loop;
  }
}

/** Reads a listener's first bytes: the HTTP status, and up to `bytes` bytes of audio. */
async function listen(url: string, credentials?: { user: string; password: string }, bytes = 8_192): Promise<{ status: number; body: Buffer; contentType: string | null }> {
  const abort = new AbortController();
  const headers: Record<string, string> = credentials ? { authorization: `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}` } : {};
  const response = await fetch(url, { headers, signal: abort.signal });
  const chunks: Buffer[] = [];
  let length = 0;
  if (response.ok && response.body) {
    const timer = setTimeout(() => abort.abort(), 10_000);
    try {
      for await (const chunk of response.body) {
        chunks.push(Buffer.from(chunk));
        length += chunk.length;
        if (length >= bytes) break;
      }
    } catch {
      // aborted: whatever arrived is the answer
    } finally {
      clearTimeout(timer);
      abort.abort();
    }
  } else {
    await response.text();
  }
  return { status: response.status, body: Buffer.concat(chunks), contentType: response.headers.get('content-type') };
}

const tracks = (prefix: string, count: number, seconds: number): IcecastTrack[] =>
  Array.from({ length: count }, (_, index) => ({ artist: `${prefix} Artist ${index + 1}`, title: `${prefix} Title ${index + 1}`, seconds }));

describe('Icecast (Debian icecast2 2.4.4) with the production config and URL authentication', { timeout: 300_000 }, () => {
  let directory: string;
  let icecast: IcecastServer;
  const hook = new GatewayHook();
  const port = () => new URL(icecast.url).port;
  const source = (overrides: Partial<Parameters<typeof publishToIcecast>[0]> & { format?: IcecastSourceFormat } = {}) =>
    publishToIcecast({ url: icecast.url, mount: DJ.mount, password: DJ.key, format: 'ogg-vorbis', tracks: tracks('Warm-up', 1, 4), realtime: true, ...overrides });
  /** Icecast frees a mount a moment after its source's connection ended. */
  const mountFree = () => waitFor('the DJ\'s mount to be free', async () => ((await icecast.mount(DJ.mount)) ? undefined : true), 10_000, 50);

  before(async () => {
    directory = await mkdtemp(join(tmpdir(), 'icecast-int-'));
    await hook.start();
    icecast = await IcecastServer.start(directory, { hookBaseUrl: hook.baseUrl, hookSecret: SECRET });
  });

  after(async () => {
    await icecast?.stop();
    await hook.stop();
    await rm(directory, { recursive: true, force: true });
  });

  it('started by root in the foreground, it drops to nobody:nogroup after writing its pid file', { skip: process.getuid?.() !== 0 }, async () => {
    const status = await readFile(`/proc/${icecast.pid}/status`, 'utf8');
    assert.match(status, /^Uid:\s+65534\s+65534\s+65534\s+65534$/m);
    assert.match(status, /^Gid:\s+65534\s+65534\s+65534\s+65534$/m);
    assert.equal((await readFile(icecast.pidFile, 'utf8')).trim(), String(icecast.pid));
  });

  describe('a DJ on air on /live/dj-a with a chained Ogg Vorbis stream, as Traktor sends it', () => {
    let onAir: IcecastSource;
    let watcher: TitleWatcher;
    let startedAt: number;
    const set = tracks('Ogg', 3, 8);

    before(async () => {
      startedAt = Date.now();
      watcher = new TitleWatcher(icecast, DJ.mount);
      onAir = await source({ tracks: set });
    });

    after(async () => {
      await watcher.stop();
      await onAir.stop();
    });

    it('the right key is let in (200 after 100 Continue); the hook got stream_auth, then mount_add', async () => {
      assert.equal(onAir.status, 200, onAir.answer);
      assert.equal(onAir.continued, true);
      const [auth] = hook.since(startedAt, 'stream_auth');
      assert.ok(auth, 'no stream_auth call');
      assert.equal(auth.path, '/api/hooks/icecast/source');
      assert.equal(auth.secret, SECRET);
      assert.deepEqual(auth.fields, { action: 'stream_auth', mount: DJ.mount, ip: '127.0.0.1', server: '127.0.0.1', port: port(), user: 'source', pass: DJ.key });
      assert.equal(auth.headers['content-type'], 'application/x-www-form-urlencoded');
      assert.equal(auth.headers['user-agent'], 'Icecast 2.4.4');
      const added = await waitFor('mount_add', () => hook.since(startedAt, 'mount_add')[0]);
      assert.equal(added.path, '/api/hooks/icecast/mount');
      assert.deepEqual(added.fields, { action: 'mount_add', mount: DJ.mount, server: '127.0.0.1', port: port() });
      console.log(`source answered after ${onAir.answeredAfterMs} ms; mount_add ${added.at - auth.at} ms after stream_auth`);
      console.log(`stream_auth fields: ${JSON.stringify(auth.fields)}; headers: ${JSON.stringify(auth.headers)}`);
      console.log(`mount_add fields: ${JSON.stringify(added.fields)}`);
    });

    it('a second source on the live mount is refused with 403 "Mountpoint in use" (after the hook said yes), and the first goes on', async () => {
      const from = Date.now();
      const bytesBefore = (await icecast.bytesRead(DJ.mount)) ?? 0;
      const second = await source();
      assert.equal(second.status, 403);
      assert.match(second.answer, /Mountpoint in use/);
      assert.equal(hook.since(from, 'stream_auth').length, 1, 'Icecast asks the hook before it finds the mount taken');
      assert.equal((await second.done).endedBy, 'server');
      console.log(`second source: ${second.answer} after ${second.answeredAfterMs} ms`);
      // Icecast refreshes the figure every 5 s.
      const bytesAfter = await waitFor('the first source still feeding the mount', async () => ((await icecast.bytesRead(DJ.mount)) ?? 0) > bytesBefore ? icecast.bytesRead(DJ.mount) : undefined, 8_000);
      console.log(`first source read by Icecast: ${bytesBefore} then ${bytesAfter} bytes`);
    });

    it('a wrong key and an unknown mount are refused with 401 by the hook; a mount outside /live and /test without asking it', async () => {
      const from = Date.now();
      const wrongKey = await source({ password: 'not-the-key' });
      assert.equal(wrongKey.status, 401);
      assert.match(wrongKey.answer, /401 Authentication Required: You need to authenticate/);
      const unknownMount = await source({ mount: '/live/nobody-here' });
      assert.equal(unknownMount.status, 401);
      const outside = await source({ mount: '/elsewhere' });
      assert.equal(outside.status, 401);
      const asked = hook.since(from, 'stream_auth').map((call) => `${call.fields.mount}:${call.fields.pass}`);
      assert.deepEqual(asked, [`${DJ.mount}:not-the-key`, '/live/nobody-here:' + DJ.key]);
      console.log(`refusals: wrong key ${wrongKey.answeredAfterMs} ms, unknown mount ${unknownMount.answeredAfterMs} ms, outside ${outside.answeredAfterMs} ms`);
    });

    it('Icecast reads the hook\'s header, not its status: 200 without the header refuses, 500 with it admits', async () => {
      hook.withholdHeader = true;
      try {
        const refused = await source({ mount: '/test/dj-a' });
        assert.equal(refused.status, 401);
      } finally {
        hook.withholdHeader = false;
      }
      // /test/dj-a is not the DJ's mount for this hook: admit it through a hook that answers 500.
      hook.admitStatus = 500;
      try {
        const admitted = await source({ tracks: tracks('Five hundred', 1, 1) });
        // The DJ is on /live/dj-a already: admitted by the hook, then 403 from Icecast; a 401 would mean the header was ignored.
        assert.equal(admitted.status, 403);
      } finally {
        hook.admitStatus = 200;
      }
    });

    it('a listener without the reader\'s credentials is refused with 401; the reader gets the Ogg stream; both reach the hook', async () => {
      const from = Date.now();
      const stranger = await listen(`${icecast.url}${DJ.mount}`);
      assert.equal(stranger.status, 401);
      const wrong = await listen(`${icecast.url}${DJ.mount}`, { user: READER.user, password: 'guess' });
      assert.equal(wrong.status, 401);
      const reader = await listen(`${icecast.url}${DJ.mount}`, READER);
      assert.equal(reader.status, 200);
      assert.equal(reader.contentType, 'audio/ogg');
      assert.equal(reader.body.subarray(0, 4).toString('latin1'), 'OggS');
      assert.ok(reader.body.length >= 8_192);
      const adds = hook.since(from, 'listener_add');
      assert.equal(adds.length, 3);
      const readerAdd = adds[2];
      assert.ok(readerAdd);
      assert.equal(readerAdd.path, '/api/hooks/icecast/listener');
      assert.deepEqual(Object.keys(readerAdd.fields), ['action', 'server', 'port', 'client', 'mount', 'user', 'pass', 'ip', 'agent']);
      assert.deepEqual({ ...readerAdd.fields, client: '' }, { action: 'listener_add', server: '127.0.0.1', port: port(), client: '', mount: DJ.mount, user: READER.user, pass: READER.password, ip: '127.0.0.1', agent: 'node' });
      // The listener's own Basic credentials are passed on to the hook as well.
      assert.equal(readerAdd.headers.authorization, `Basic ${Buffer.from(`${READER.user}:${READER.password}`).toString('base64')}`);
      assert.deepEqual(adds[0]?.fields.user, '');
      const removed = await waitFor('listener_remove of the reader', () => hook.since(from, 'listener_remove').find((call) => call.fields.user === READER.user), 10_000);
      assert.deepEqual(Object.keys(removed.fields), ['action', 'server', 'port', 'client', 'mount', 'user', 'pass', 'duration', 'ip', 'agent']);
      console.log(`listener_add fields: ${JSON.stringify(readerAdd.fields)}`);
      console.log(`listener_remove fields: ${JSON.stringify(removed.fields)}`);
    });

    it('each chained track\'s ARTIST and TITLE show on /status-json.xsl soon after the track starts', async () => {
      const result = await onAir.done;
      assert.equal(result.endedBy, 'finished');
      const delays = set.map((track, index) => {
        const seen = watcher.firstSeen.get(`${track.artist}|${track.title}`);
        assert.ok(seen, `"${track.artist} - ${track.title}" never showed`);
        return seen - (onAir.trackStartedAt[index] ?? 0);
      });
      for (const delay of delays) assert.ok(delay < 3_000, `title showed ${delay} ms after its track started`);
      console.log(`Ogg Vorbis: title on status-json ${delays.join(' / ')} ms after the track's first byte`);
    });

    it('mount_remove reaches the hook when the source closes its connection', async () => {
      const closedAt = Date.now();
      const removed = await waitFor('mount_remove', () => hook.since(startedAt, 'mount_remove')[0], 10_000);
      assert.deepEqual(removed.fields, { action: 'mount_remove', mount: DJ.mount, server: '127.0.0.1', port: port() });
      await waitFor('the mount gone from the status', async () => ((await icecast.mount(DJ.mount)) ? undefined : true), 5_000);
      console.log(`mount_remove ${removed.at - closedAt} ms after the source closed`);
    });
  });

  describe('each format, its titles and what the reader decodes', () => {
    const expectations: Array<{ format: IcecastSourceFormat; codec: string; titles: 'artist+title' | 'song' | 'none'; adminMetadata?: boolean }> = [
      { format: 'mp3', codec: 'mp3', titles: 'song' },
      { format: 'aac', codec: 'aac', titles: 'song' },
      // Ogg Opus: 2.4.4 reads no OpusTags, and its Ogg handler takes no /admin/metadata update either.
      { format: 'opus', codec: 'opus', titles: 'none', adminMetadata: true },
    ];
    for (const expected of expectations) {
      it(`${expected.format}: on air, the reader decodes ${expected.codec}, titles ${expected.titles === 'none' ? 'never show' : 'show'}`, async () => {
        const from = Date.now();
        const set = tracks(expected.format.toUpperCase(), 2, 5).map((track, index) => (index === 1 ? { ...track, title: `${track.title} Café Ñandú` } : track));
        await mountFree();
        const watcher = new TitleWatcher(icecast, DJ.mount);
        const dj = await source({ format: expected.format, tracks: set, ...(expected.adminMetadata ? { adminMetadata: true } : {}) });
        try {
          assert.equal(dj.status, 200, dj.answer);
          const probe = await runOnce('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', `http://${READER.user}:${READER.password}@127.0.0.1:${port()}${DJ.mount}`], 20_000);
          assert.equal(probe.stdout.trim(), expected.codec, probe.stderr);
          await dj.done;
        } finally {
          await watcher.stop();
          await dj.stop();
        }
        if (expected.titles === 'none') {
          assert.equal(watcher.firstSeen.size, 0, `titles showed: ${[...watcher.firstSeen.keys()].join(', ')}`);
          assert.deepEqual(
            dj.metadataUpdates.map((update) => [update.status, /Mountpoint will not accept URL updates/.test(update.body)]),
            set.map(() => [200, true]),
          );
          console.log(`${expected.format}: no title on status-json; /admin/metadata answers "Mountpoint will not accept URL updates"`);
          return;
        }
        const delays = set.map((track, index) => {
          const seen = watcher.firstSeen.get(`|${track.artist} - ${track.title}`);
          assert.ok(seen, `"${track.artist} - ${track.title}" never showed: ${[...watcher.firstSeen.keys()].join(', ')}`);
          return seen - (dj.trackStartedAt[index] ?? 0);
        });
        assert.deepEqual(dj.metadataUpdates.map((update) => [update.status, /Metadata update successful/.test(update.body)]), set.map(() => [200, true]));
        // The update is checked by the same hook, flagged as an admin request.
        const adminAuth = hook.since(from, 'stream_auth').filter((call) => call.fields.admin === '1');
        assert.equal(adminAuth.length, set.length);
        assert.deepEqual(adminAuth[0]?.fields, { action: 'stream_auth', mount: DJ.mount, ip: '127.0.0.1', server: '127.0.0.1', port: port(), user: 'source', pass: DJ.key, admin: '1' });
        for (const delay of delays) assert.ok(delay < 3_000, `title showed ${delay} ms after its track started`);
        console.log(`${expected.format}: title on status-json ${delays.join(' / ')} ms after the track's first byte (via /admin/metadata)`);
      });
    }

    it('mp3: an ID3 tag inside the stream gives no title; only /admin/metadata does', async () => {
      await mountFree();
      const watcher = new TitleWatcher(icecast, DJ.mount);
      const dj = await source({ format: 'mp3', tracks: tracks('ID3', 1, 4), adminMetadata: false });
      try {
        assert.equal(dj.status, 200, dj.answer);
        await dj.done;
      } finally {
        await watcher.stop();
      }
      assert.equal(watcher.firstSeen.size, 0, `titles showed: ${[...watcher.firstSeen.keys()].join(', ')}`);
    });
  });

  it('a dead Traktor (connection open, nothing sent) is dropped by the source timeout; the DJ can come back at once', async () => {
    await mountFree();
    const dj = await source({ tracks: tracks('Stall', 1, 30) });
    assert.equal(dj.status, 200, dj.answer);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const stalledAt = Date.now();
    dj.stall();
    const removed = await waitFor('mount_remove after the stall', () => hook.since(stalledAt, 'mount_remove')[0], 15_000, 50);
    const result = await dj.done;
    assert.equal(result.endedBy, 'server');
    const backAt = Date.now();
    const back = await source({ tracks: tracks('Back', 1, 1) });
    assert.equal(back.status, 200, back.answer);
    await back.done;
    // Its mount_remove, before the next test makes the hook hang.
    await waitFor('mount_remove of the returning source', () => hook.since(backAt, 'mount_remove')[0], 10_000, 50);
    console.log(`stalled source dropped ${removed.at - stalledAt} ms after its last byte (source-timeout 3 s); back on air ${back.answeredAfterMs} ms after connecting`);
  });

  it('a hook that does not answer: a source waits 15 s for its 401, and the next one on /live/* waits behind it', async () => {
    await mountFree();
    hook.mode = 'silent';
    const from = Date.now();
    try {
      // One auth thread per <mount> block asks the hook, one call at a time.
      const [first, second] = await Promise.all([source({ answerTimeoutMs: 45_000 }), source({ mount: '/live/dj-b', answerTimeoutMs: 45_000 })]);
      const answers = [first.answeredAfterMs, second.answeredAfterMs].sort((a, b) => a - b);
      assert.deepEqual([first.status, second.status], [401, 401]);
      assert.ok((answers[0] ?? 0) >= 14_000, `first answered after ${answers[0]} ms`);
      assert.ok((answers[1] ?? 0) >= 28_000, `second answered after ${answers[1]} ms`);
      assert.equal(hook.since(from, 'stream_auth').length, 2);
      console.log(`silent hook: 401 after ${answers[0]} ms, the source queued behind it 401 after ${answers[1]} ms`);
    } finally {
      hook.mode = 'answer';
      hook.releaseHeld();
    }
  });

  it('the DJ\'s key and the reader\'s password never reach Icecast\'s logs', async () => {
    const logs = `${await readFile(icecast.errorLog, 'utf8')}\n${await readFile(icecast.accessLog, 'utf8')}`;
    assert.ok(logs.length > 0);
    assert.equal(logs.includes(DJ.key), false);
    assert.equal(logs.includes(READER.password), false);
    // The hooks' secret is part of the hook URL, which Icecast 2.4.4 logs when a listener is refused
    // (INFO "client auth (<url>) failed") and when a hook cannot be reached (WARN "auth to server <url> failed").
    const leaks = (await readFile(icecast.errorLog, 'utf8')).split('\n').filter((line) => line.includes(SECRET));
    console.log(`error.log lines holding the hooks' secret: ${leaks.length}; e.g. ${leaks[0]?.replace(/\s+/g, ' ') ?? '-'}`);
  });

  it('a hook that is down (connection refused): the source is refused with 401 at once', async () => {
    const down = await IcecastServer.start(join(directory, 'hook-down'), { hookBaseUrl: `http://127.0.0.1:${await freePort()}/api/hooks`, hookSecret: SECRET });
    try {
      const dj = await publishToIcecast({ url: down.url, mount: DJ.mount, password: DJ.key, format: 'ogg-vorbis', tracks: tracks('Down', 1, 2), realtime: true });
      assert.equal(dj.status, 401);
      assert.ok(dj.answeredAfterMs < 2_000, `answered after ${dj.answeredAfterMs} ms`);
      console.log(`hook down: 401 after ${dj.answeredAfterMs} ms`);
    } finally {
      await down.stop();
    }
  });
});
