import 'reflect-metadata';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Logger, type INestMicroservice } from '@nestjs/common';
import { BroadcastStateChanged, DEFAULT_VJ_SETTINGS, ProgramInputChanged, ProgramRequested, ProgramSourceChanged, type TranscodeJob } from '@streamcaster/contracts';
import { startBusService } from '@streamcaster/service-kit';
import { runOnce } from '@streamcaster/supervisor';
import {
  BusObserver,
  createTestEnvironment,
  IcecastServer,
  publishToIcecast,
  type IcecastSource,
  LifecyclePublisher,
  pictureChange,
  ProgramWatcher,
  publishAsDj,
  RtmpServer,
  waitFor,
  type DjStream,
  type TestEnvironment,
} from '@streamcaster/testing';
import { TranscoderModule } from '../src/app.module.js';
import { loadTranscoderConfig } from '../src/config/transcoder.config.js';

/**
 * The program that never stops, on a real nginx-rtmp with libx264: the DJ drops, stalls and
 * returns, and the program's one publish goes on throughout, the slate covering the gaps. A viewer
 * (ProgramWatcher, decoding as it arrives) tells the DJ's flat picture from the slate's message.
 */

const PROGRAM = { width: 640, height: 360, fps: 25 };
const DJ_COLOUR = '0x203040';
/** The slate's message is white text across the middle; the DJ's picture there is flat and dark. */
const isSlate = (frame: { brightShare: number }) => frame.brightShare > 0.03;
const isDj = (frame: { brightShare: number; mean: [number, number, number] }) => frame.brightShare < 0.005 && frame.mean[2] > frame.mean[0];

let env: TestEnvironment;
let rtmp: RtmpServer;
let icecast: IcecastServer;
let app: INestMicroservice;
let observer: BusObserver;
let publisher: LifecyclePublisher;
let hooks: Server;
const programPublishes: string[] = [];
const djs: DjStream[] = [];

function djPublishes(djId: string, seconds = 600): DjStream {
  // Keyframes every half second, as a DJ's OBS set to 0.5 s would send them: the return is cut in
  // on the DJ's next keyframe, and this keeps that wait out of what is measured here.
  const dj = publishAsDj(`${rtmp.url}/live/${djId}`, seconds, { gopFrames: 15, colour: DJ_COLOUR, size: '640x360', fps: 30 });
  djs.push(dj);
  return dj;
}

async function requestProgram(djId: string, broadcastId: string = randomUUID()): Promise<TranscodeJob> {
  const job: TranscodeJob = {
    broadcastId,
    environment: 'live',
    input: { app: 'live', streamName: djId },
    djName: 'DJ Continuity',
    logo: null,
    slate: { organizationName: 'Club Continuity', message: 'DJ Continuity will be right back' },
    vj: DEFAULT_VJ_SETTINGS,
  };
  await publisher.publish(ProgramRequested, job, broadcastId);
  return job;
}

/** The broadcast ended, as the publisher says it: the transcoder stops its program. */
async function endBroadcast(job: TranscodeJob): Promise<void> {
  await publisher.publish(
    BroadcastStateChanged,
    { broadcastId: job.broadcastId, environment: 'live', djName: job.djName, title: 'x', state: 'ended', previousState: 'ending' },
    job.broadcastId,
  );
}

function sourceChanges(broadcastId: string) {
  return observer.messages(ProgramSourceChanged).filter((message) => message.payload.broadcastId === broadcastId);
}

/** Records the program as a relay would (-c copy), to read its timestamps back afterwards. */
function recordProgram(broadcastId: string, file: string): ChildProcess {
  return spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-i', `${rtmp.url}/program/${broadcastId}`, '-c', 'copy', '-f', 'flv', '-y', file], { stdio: 'ignore' });
}

/** Decoding times of every packet of a file, per stream, in file order. */
async function packetTimes(file: string): Promise<{ video: number[]; audio: number[] }> {
  const probe = await runOnce('ffprobe', ['-v', 'error', '-show_entries', 'packet=codec_type,dts_time', '-of', 'csv=p=0', file], 60_000);
  assert.equal(probe.code, 0, probe.stderr);
  const times = { video: [] as number[], audio: [] as number[] };
  for (const line of probe.stdout.split('\n')) {
    const [type, dts] = line.split(',');
    if ((type === 'video' || type === 'audio') && dts && dts !== 'N/A') times[type].push(Number(dts));
  }
  return times;
}

function assertGrowing(values: number[], what: string, strictly: boolean): void {
  for (let index = 1; index < values.length; index += 1) {
    const ok = strictly ? values[index]! > values[index - 1]! : values[index]! >= values[index - 1]!;
    assert.ok(ok, `${what} goes from ${values[index - 1]} back to ${values[index]} at packet ${index}`);
  }
}

before(async () => {
  Logger.overrideLogger(['error', 'warn']);
  env = await createTestEnvironment('program-continuity');
  hooks = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const name = new URLSearchParams(body).get('name') ?? '?';
      programPublishes.push(`${request.url === '/publish' ? 'publish' : 'done'} ${name}`);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => hooks.listen(0, '127.0.0.1', resolve));
  const hookBase = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  rtmp = await RtmpServer.start(join(env.dataDir, 'nginx'), { onPublish: `${hookBase}/publish`, onPublishDone: `${hookBase}/done` });
  // Its own hook lets any source in on /live/*, and the transcoder's reader listen.
  icecast = await IcecastServer.start(join(env.dataDir, 'icecast'));
  const config = loadTranscoderConfig({
    ...env.env,
    RTMP_INTERNAL_URL: rtmp.url,
    ICECAST_INTERNAL_URL: icecast.url,
    ICECAST_READER_PASSWORD: icecast.readerCredentials.password,
    TRANSCODER_ENCODER: 'libx264',
    TRANSCODER_WIDTH: String(PROGRAM.width),
    TRANSCODER_HEIGHT: String(PROGRAM.height),
    TRANSCODER_FPS: String(PROGRAM.fps),
    TRANSCODER_VIDEO_BITRATE_KBPS: '800',
    TRANSCODER_KEYFRAME_SECONDS: '1',
    TRANSCODER_X264_PRESET: 'ultrafast',
    // The scene these tests look at; the probe that chooses one (beside the first sound-only program,
    // at the lowest priority) has tests of its own (vj-probe.int-spec) and runs in the Icecast e2e test.
    TRANSCODER_VJ_SCENE: 'spectrum',
  });
  observer = await BusObserver.connect(env.natsUrl, env.subjectPrefix);
  await observer.observe(ProgramSourceChanged);
  app = await startBusService('transcoder', TranscoderModule.forRoot(config), config);
  publisher = await LifecyclePublisher.connect(env.natsUrl, env.subjectPrefix, 'publisher');
});

after(async () => {
  for (const dj of djs) {
    dj.process.kill('SIGCONT');
    dj.process.kill('SIGKILL');
  }
  await app?.close();
  await Promise.all([observer?.close(), publisher?.close(), rtmp?.stop(), icecast?.stop()]);
  await new Promise((resolve) => hooks?.close(resolve));
  await env?.dispose();
});

describe('the program never stops', { timeout: 240_000 }, () => {
  it('covers a 5 s drop, a 20 s drop and a stall with the slate, and cuts back to the DJ, in one publish whose timestamps only grow', async () => {
    const djId = randomUUID();
    let dj = djPublishes(djId);
    const broadcastId = randomUUID();
    // Recorded from its first tag on, as a relay does: a player that waits in nginx-rtmp before the
    // program is published gets its first keyframe.
    const recordingFile = join(env.dataDir, 'program.flv');
    const recording = recordProgram(broadcastId, recordingFile);
    const job = await requestProgram(djId, broadcastId);
    const programUrl = `${rtmp.url}/program/${job.broadcastId}`;
    await waitFor('the program to be published', () => programPublishes.some((entry) => entry === `publish ${job.broadcastId}`) || undefined, 20_000);
    const viewer = new ProgramWatcher(programUrl);
    try {
      await waitFor("the DJ's picture on the program", () => viewer.firstFrame(0, isDj), 15_000);
      // The slate is encoded in the background once the program runs: give it its few seconds.
      await new Promise((resolve) => setTimeout(resolve, 6_000));

      const outages: Array<{ what: string; slateAfterMs: number; djBackAfterMs: number }> = [];
      const dropFor = async (what: string, awayMs: number, away: () => void, back: () => void) => {
        const awayAt = Date.now();
        away();
        const slate = await waitFor(`the slate after the DJ ${what}`, () => viewer.firstFrame(awayAt, isSlate), 10_000);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, awayAt + awayMs - Date.now())));
        const backAt = Date.now();
        back();
        const djFrame = await waitFor(`the DJ back after ${what}`, () => viewer.firstFrame(backAt, isDj), 15_000);
        outages.push({ what, slateAfterMs: slate.at - awayAt, djBackAfterMs: djFrame.at - backAt });
        await new Promise((resolve) => setTimeout(resolve, 3_000));
      };

      await dropFor('dropped for 5 s', 5_000, () => dj.process.kill('SIGKILL'), () => (dj = djPublishes(djId)));
      await dropFor('dropped for 20 s', 20_000, () => dj.process.kill('SIGKILL'), () => (dj = djPublishes(djId)));
      // A stall: the connection stays open and nothing comes (a frozen encoder, a dead uplink).
      await dropFor('stalled for 5 s', 5_000, () => dj.process.kill('SIGSTOP'), () => dj.process.kill('SIGCONT'));
      console.log(`program continuity: ${outages.map((outage) => `${outage.what}: slate after ${outage.slateAfterMs} ms, DJ back after ${outage.djBackAfterMs} ms`).join('; ')}`);

      for (const outage of outages) {
        // The issue's targets are 1 s and 1.5 s (bench/ measures them); a test only bounds them loosely.
        assert.ok(outage.slateAfterMs < 3_000, `${outage.what}: the slate came ${outage.slateAfterMs} ms after`);
        assert.ok(outage.djBackAfterMs < 6_000, `${outage.what}: the DJ came back ${outage.djBackAfterMs} ms after`);
      }
      const changes = sourceChanges(job.broadcastId).map((message) => message.payload.source);
      // The first: the program starts on the DJ.
      assert.deepEqual(changes, ['dj', 'slate', 'dj', 'slate', 'dj', 'slate', 'dj'], `the program's switches, as announced on the bus`);
      assert.deepEqual(
        programPublishes.filter((entry) => entry.endsWith(job.broadcastId)),
        [`publish ${job.broadcastId}`],
        'the program was published more than once, or ended, while the DJ was away',
      );
    } finally {
      await viewer.stop();
    }
    // Stopped while the program still flows (ffmpeg sees a signal between two reads, and writes
    // out everything it has); after the unpublish it would wait on a read for ever.
    const recorded = new Promise<void>((resolve) => (recording.exitCode !== null || recording.signalCode !== null ? resolve() : recording.once('close', () => resolve())));
    recording.kill('SIGINT');
    await recorded;

    await endBroadcast(job);
    await waitFor('the program to end', () => programPublishes.includes(`done ${job.broadcastId}`) || undefined, 20_000);
    // A viewer that joins mid-stream may be handed a frame before its first keyframe (before it has
    // decoded anything): that is joining, not the splices, which all come later.
    const afterJoining = viewer.decodeErrors.filter((error) => error.afterFrames > 0);
    assert.deepEqual(afterJoining.map((error) => `after frame ${error.afterFrames}: ${error.line}`), [], "the viewer's decoder complained");

    const times = await packetTimes(recordingFile);
    assert.ok(times.video.length > 40 * PROGRAM.fps, `only ${times.video.length} video packets were recorded`);
    assertGrowing(times.video, 'video DTS', true);
    assertGrowing(times.audio, 'audio DTS', false);
    const decoded = await runOnce('ffmpeg', ['-v', 'error', '-i', recordingFile, '-f', 'null', '-'], 120_000);
    assert.equal(decoded.stderr.trim(), '', 'the recorded program does not decode cleanly');
  });
});

describe('a DJ who comes back through another input', { timeout: 120_000 }, () => {
  it('reads Traktor (Icecast) once told the DJ is back that way, in the same publish: the slate, then the VJ on air', async () => {
    const djId = randomUUID();
    const dj = djPublishes(djId);
    const job = await requestProgram(djId);
    const viewer = new ProgramWatcher(`${rtmp.url}/program/${job.broadcastId}`);
    let traktor: IcecastSource | null = null;
    try {
      await waitFor("the DJ's picture on the program", () => viewer.firstFrame(0, isDj), 20_000);
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      // OBS goes away; the slate covers it.
      const awayAt = Date.now();
      dj.process.kill('SIGKILL');
      await waitFor('the slate', () => viewer.firstFrame(awayAt, isSlate), 10_000);

      // The DJ is back through Traktor: the publisher says so (program.input-changed), the source plays.
      const mount = `/live/dj-${djId.slice(0, 8)}`;
      await publisher.publish(ProgramInputChanged, { broadcastId: job.broadcastId, input: { app: 'live', streamName: mount.slice('/live/'.length), protocol: 'icecast' } }, job.broadcastId);
      const backAt = Date.now();
      traktor = await publishToIcecast({ url: icecast.url, mount, password: 'any-key-the-own-hook-takes', format: 'ogg-vorbis', tracks: [{ artist: 'Back', title: 'Through Traktor', seconds: 60 }] });
      assert.equal(traktor.status, 200, traktor.answer);
      await waitFor('the program back on the DJ (now their sound, drawn by the VJ)', () => sourceChanges(job.broadcastId).filter((message) => Date.parse(message.payload.at) >= backAt && message.payload.source === 'dj')[0], 20_000);
      const vj = await waitFor('a VJ picture', () => viewer.firstFrame(backAt, (frame) => !isDj(frame) && frame.brightShare > 0), 10_000);
      console.log(`back through Traktor: the VJ on the program ${vj.at - backAt} ms after the source started`);
      assert.deepEqual(
        programPublishes.filter((entry) => entry.endsWith(job.broadcastId)),
        [`publish ${job.broadcastId}`],
        'the program was published again',
      );
      assert.deepEqual(sourceChanges(job.broadcastId).map((message) => message.payload.source), ['dj', 'slate', 'dj']);
    } finally {
      await traktor?.stop();
      await viewer.stop();
      await endBroadcast(job);
    }
  });
});

describe('the automated VJ', { timeout: 120_000 }, () => {
  it('makes a moving picture for a DJ who sends sound alone, brighter when it is loud, with the sound kept', async () => {
    const djId = randomUUID();
    // Sound alone, as OBS audio-only or a hardware encoder sends it: a tone that glides up and down
    // (as music moves through the spectrum), 6 s quiet, 6 s loud, again and again.
    const dj = spawn(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', "aevalsrc=exprs='0.8*sin(2*PI*(330*t+60*sin(2*PI*t/2)))':s=48000,volume='if(lt(mod(t,12),6),0.01,1)':eval=frame", '-t', '60', '-c:a', 'aac', '-b:a', '128k', '-f', 'flv', `${rtmp.url}/live/${djId}`],
      { stdio: 'ignore' },
    );
    try {
      const job = await requestProgram(djId);
      const programUrl = `${rtmp.url}/program/${job.broadcastId}`;
      await waitFor('the program to be published', () => programPublishes.some((entry) => entry === `publish ${job.broadcastId}`) || undefined, 30_000);
      // The encoder looks twice for a picture (0.5 s, then 4 s in case its keyframe was far) before
      // the VJ takes over; the slate may be on the program meanwhile. Measured from the VJ's picture on.
      await observer.waitFor(ProgramSourceChanged, (payload) => payload.broadcastId === job.broadcastId && payload.source === 'dj', 30_000);
      const viewer = new ProgramWatcher(programUrl);
      try {
        await waitFor('pictures of the program', () => (viewer.frames.length > 0 ? true : undefined), 15_000);
        await new Promise((resolve) => setTimeout(resolve, 14_000));
      } finally {
        await viewer.stop();
      }
      const streams = await runOnce('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', programUrl], 20_000);
      assert.deepEqual(streams.stdout.split('\n').filter(Boolean).sort(), ['aac', 'h264'], `the program's streams: ${streams.stdout} ${streams.stderr}`);

      // Brightness (sum of the mean RGB) per second of pictures: the loud seconds light more pixels.
      const brightness = viewer.frames.map((frame) => frame.mean[0] + frame.mean[1] + frame.mean[2]);
      const perSecond: number[] = [];
      for (let start = 0; start + PROGRAM.fps <= brightness.length; start += PROGRAM.fps) {
        perSecond.push(brightness.slice(start, start + PROGRAM.fps).reduce((sum, value) => sum + value, 0) / PROGRAM.fps);
      }
      const [quietest, loudest] = [Math.min(...perSecond), Math.max(...perSecond)];
      console.log(`VJ: brightness per second ${perSecond.map((value) => value.toFixed(0)).join(' ')}`);
      assert.ok(perSecond.length >= 10, `only ${viewer.frames.length} pictures`);
      assert.ok(loudest > quietest * 1.5 + 5, `the loud passage is not brighter: ${quietest.toFixed(1)} quietest, ${loudest.toFixed(1)} loudest second`);
      // The picture moves: in the loud passages, most pictures differ from the one before somewhere.
      const loud = viewer.frames.filter((frame, index) => index > 0 && frame.mean[0] + frame.mean[1] + frame.mean[2] > (quietest + loudest) / 2);
      const moved = loud.filter((frame) => pictureChange(frame, viewer.frames[viewer.frames.indexOf(frame) - 1]!) > 2).length;
      assert.ok(loud.length > 0 && moved > loud.length / 2, `only ${moved} of ${loud.length} loud pictures differ from the one before`);
      await endBroadcast(job);
    } finally {
      dj.kill('SIGKILL');
    }
  });
});

describe('a picture without sound', { timeout: 120_000 }, () => {
  it("carries silence, so that the program keeps its sound track and the slate's headers still match across a drop", async () => {
    const djId = randomUUID();
    // A camera feed, or OBS with its sound sources off: H.264 alone.
    const silentDj = () =>
      spawn(
        'ffmpeg',
        ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `color=c=${DJ_COLOUR}:s=640x360:r=30`, '-t', '60', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '15', '-pix_fmt', 'yuv420p', '-f', 'flv', `${rtmp.url}/live/${djId}`],
        { stdio: 'ignore' },
      );
    let dj = silentDj();
    try {
      const job = await requestProgram(djId);
      const programUrl = `${rtmp.url}/program/${job.broadcastId}`;
      await observer.waitFor(ProgramSourceChanged, (payload) => payload.broadcastId === job.broadcastId && payload.source === 'dj', 30_000);
      const streams = await runOnce('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate,channels', '-of', 'csv=p=0', programUrl], 20_000);
      assert.deepEqual(streams.stdout.split('\n').filter(Boolean).sort(), ['aac,48000,2', 'h264'], `the program's streams: ${streams.stdout} ${streams.stderr}`);
      // Let the slate be encoded, then drop: the cut to the slate and back keeps one clean stream.
      const recording = join(env.dataDir, `silent-${job.broadcastId}.flv`);
      const recorder = recordProgram(job.broadcastId, recording);
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      dj.kill('SIGKILL');
      await observer.waitFor(ProgramSourceChanged, (payload) => payload.broadcastId === job.broadcastId && payload.source === 'slate', 15_000);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      dj = silentDj();
      const back = sourceChanges(job.broadcastId).filter((message) => message.payload.source === 'dj').length;
      await waitFor('the DJ back on the program', () => (sourceChanges(job.broadcastId).filter((message) => message.payload.source === 'dj').length > back ? true : undefined), 20_000);
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      recorder.kill('SIGINT');
      await new Promise((resolve) => recorder.once('close', resolve));
      const times = await packetTimes(recording);
      assert.ok(times.audio.length > 100, `only ${times.audio.length} sound packets in the program`);
      assertGrowing(times.audio, 'sound DTS', false);
      assertGrowing(times.video, 'picture DTS', true);
      const decoded = await runOnce('ffmpeg', ['-v', 'error', '-i', recording, '-f', 'null', '-'], 60_000);
      assert.equal(decoded.stderr.trim(), '', 'the program across the drop does not decode cleanly');
      await endBroadcast(job);
    } finally {
      dj.kill('SIGKILL');
    }
  });
});

describe('a DJ whose sound stops in the middle of the set', { timeout: 120_000 }, () => {
  it('keeps the program going: the slate while the encoder finds out, then the picture again with silence, in one clean stream', async () => {
    const djId = randomUUID();
    // Sound for the first 8 s, then the picture alone (a sound card unplugged, OBS's audio source gone).
    const dj = spawn(
      'ffmpeg',
      ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', `color=c=${DJ_COLOUR}:s=640x360:r=30`, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=8', '-t', '60', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '15', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-f', 'flv', `${rtmp.url}/live/${djId}`],
      { stdio: 'ignore' },
    );
    try {
      const job = await requestProgram(djId);
      await observer.waitFor(ProgramSourceChanged, (payload) => payload.broadcastId === job.broadcastId && payload.source === 'dj', 30_000);
      const recording = join(env.dataDir, `sound-lost-${job.broadcastId}.flv`);
      const recorder = recordProgram(job.broadcastId, recording);
      const soundStopsAt = Date.now() + 6_000;
      // The DJ's picture must be back (with silence) after the sound stopped: a switch to the DJ later than that.
      const back = await waitFor(
        "the DJ's picture back after the sound stopped",
        () => sourceChanges(job.broadcastId).find((message) => message.payload.source === 'dj' && Date.parse(message.payload.at) > soundStopsAt),
        40_000,
      );
      const changes = sourceChanges(job.broadcastId).map((message) => `${message.payload.source} at +${Date.parse(message.payload.at) - soundStopsAt} ms (${message.payload.reason})`);
      console.log(`sound lost mid-set: ${changes.join('; ')}`);
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      recorder.kill('SIGINT');
      await new Promise((resolve) => recorder.once('close', resolve));
      const times = await packetTimes(recording);
      const lastAudio = times.audio.at(-1) ?? 0;
      const lastVideo = times.video.at(-1) ?? 0;
      console.log(`sound lost mid-set: the DJ back ${Date.parse(back.payload.at) - soundStopsAt} ms after the sound stopped; last sound packet at ${lastAudio.toFixed(2)} s, last picture at ${lastVideo.toFixed(2)} s of the recording`);
      assert.ok(lastVideo - lastAudio < 1, `the program's sound stopped ${(lastVideo - lastAudio).toFixed(2)} s before its picture`);
      assertGrowing(times.audio, 'sound DTS', false);
      assertGrowing(times.video, 'picture DTS', true);
      const decoded = await runOnce('ffmpeg', ['-v', 'error', '-i', recording, '-f', 'null', '-'], 60_000);
      assert.equal(decoded.stderr.trim(), '', 'the program does not decode cleanly');
      await endBroadcast(job);
    } finally {
      dj.kill('SIGKILL');
    }
  });
});
