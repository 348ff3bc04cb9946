// Benchmark of the program's switches as a platform's viewer sees them (see bench/README.md):
//   slate visible   the DJ's input dropped (SIGKILL) or stalled (SIGSTOP) → the first slate frame
//                   decoded at a sink behind a relay, p50 and max of OUTAGES    (targets p50 ≤ 1 s, max ≤ 1.5 s)
//   DJ visible      the DJ back (a new publish, or SIGCONT) → the first DJ frame at the sink, the same
//   reconnects      the relay's publishes at the sink − 1, and publish_done before the end    (target 0)
//   decode errors   what the sink's viewer's decoder said after its first frame
//   splicing CPU    the transcoder's node process + its program-publisher ffmpeg, over the outages
//   track on air    broadcast.track-changed published → the title read back (OCR) from a picture
//                   at the sink, p50 and max of TRACKS                                  (target ≤ 3 s)
// The program runs at the transcoder's defaults (1920x1080@30, veryfast, 6000 kb/s, keyframe every
// 2 s), only TRANSCODER_ENCODER=libx264 forced; the transcoder runs as its own process, as `npm start`
// runs it, so that its CPU is its own and not the viewer's.
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_VJ_SETTINGS, ProgramRequested, ProgramSourceChanged, TrackChanged, type TranscodeJob } from '@streamcaster/contracts';
import { SupervisedProcess, supervisedFfmpegPrelude } from '@streamcaster/supervisor';
import {
  createTestEnvironment,
  LifecyclePublisher,
  PictureReader,
  processTree,
  ProgramWatcher,
  publishAsDj,
  RtmpServer,
  RtmpSink,
  waitFor,
  type DjStream,
  type WatchedFrame,
} from '@streamcaster/testing';
import { machineBusySeconds } from './process-meter.js';

const OUTAGES = Number(process.env.BENCH_SWITCH_OUTAGES ?? 10);
/** Track titles told one after the other (real words: OCR reads them reliably). */
const TRACKS = ['Midnight Signal', 'Copper Rain', 'Velvet Orbit', 'Static Bloom', 'Paper Comet'];
const TRACK_TARGET_SECONDS = 3;
/** How long the DJ stays away each time, from the fault to their return. */
const AWAY_MS = 4_000;
/** The DJ on air this long between two outages. */
const ON_AIR_MS = 3_000;
/** Longer than any backoff of the DJ's encoder: a slow return is measured, not cut off. */
const DJ_BACK_TIMEOUT_MS = 60_000;
const TARGETS = { p50Seconds: 1, maxSeconds: 1.5, reconnects: 0 };
const DJ = { size: '1280x720', fps: 30, keyframeSeconds: 1, colour: '0x203040' };
const benchStartedAt = Date.now();

/** The slate's message is white text across the middle; the DJ's picture there is flat and dark (as in program-continuity.int-spec). */
const isSlate = (frame: WatchedFrame) => frame.brightShare > 0.03;
const isDj = (frame: WatchedFrame) => frame.brightShare < 0.005 && frame.mean[2] > frame.mean[0];

const sleep = (ms: number) => new Promise((settle) => setTimeout(settle, ms));
const round3 = (value: number) => Number(value.toFixed(3));

function log(message: string): void {
  console.log(`[bench +${Math.round((Date.now() - benchStartedAt) / 1000)}s] ${message}`);
}

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** nginx-rtmp's publish notifications (the program's at the source, the relay's at the sink), with their time. */
interface HookCall {
  at: number;
  server: 'program' | 'sink';
  kind: 'publish' | 'done';
  name: string;
}

function startHookServer(calls: HookCall[]): Promise<Server> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const [, server, kind] = (request.url ?? '').split('/');
      if ((server === 'program' || server === 'sink') && (kind === 'publish' || kind === 'done')) {
        calls.push({ at: Date.now(), server, kind, name: new URLSearchParams(body).get('name') ?? '?' });
      }
      response.writeHead(200).end();
    });
  });
  return new Promise((listening) => server.listen(0, '127.0.0.1', () => listening(server)));
}

/**
 * CPU seconds (utime + stime, /proc/<pid>/stat) of the transcoder's process tree, by part, sampled
 * every 200 ms (as bench/process-meter.ts does): a process born inside the window counts whole.
 */
class SplicingCpuMeter {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly parts = new Map<number, Part>();
  private readonly commands = new Map<number, string>();
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private machineAtStart = 0;

  constructor(private readonly transcoderPid: number) {}

  start(): void {
    this.startedAt = Date.now();
    this.machineAtStart = machineBusySeconds();
    this.sample(true);
    this.timer = setInterval(() => this.sample(false), 200);
  }

  /** Cores (1.0 = one core busy) of each part over the window, and of the whole machine. */
  stop(): { wallSeconds: number; cores: Record<Part, number>; processes: Record<Part, number>; otherCommands: Record<string, number>; machineCores: number } {
    if (this.timer) clearInterval(this.timer);
    this.sample(false);
    const wallSeconds = (Date.now() - this.startedAt) / 1000;
    const seconds: Record<Part, number> = { service: 0, programPublisher: 0, djEncoder: 0, other: 0 };
    const processes: Record<Part, number> = { service: 0, programPublisher: 0, djEncoder: 0, other: 0 };
    const otherCommands: Record<string, number> = {};
    for (const [pid, last] of this.last) {
      const part = this.parts.get(pid)!;
      const used = last - (this.first.get(pid) ?? 0);
      seconds[part] += used;
      processes[part] += 1;
      if (part === 'other') {
        const command = this.commands.get(pid)!.slice(0, 120);
        otherCommands[command] = round3((otherCommands[command] ?? 0) + used / wallSeconds);
      }
    }
    const cores = Object.fromEntries(Object.entries(seconds).map(([part, used]) => [part, round3(used / wallSeconds)])) as Record<Part, number>;
    return { wallSeconds: round3(wallSeconds), cores, processes, otherCommands, machineCores: round3((machineBusySeconds() - this.machineAtStart) / wallSeconds) };
  }

  private sample(initial: boolean): void {
    for (const [pid, sample] of processTree([this.transcoderPid])) {
      if (!this.first.has(pid)) this.first.set(pid, initial ? sample.cpuSeconds : 0);
      this.last.set(pid, sample.cpuSeconds);
      // A process that has exited but is not reaped yet (a zombie) has no command line: it keeps its label.
      if (sample.command || !this.parts.has(pid)) {
        this.parts.set(pid, partOf(pid === this.transcoderPid, sample.command));
        this.commands.set(pid, sample.command);
      }
    }
  }
}

type Part = 'service' | 'programPublisher' | 'djEncoder' | 'other';

/** The program publisher reads the splicer's socket (`-f flv -i tcp://127.0.0.1:…`); the DJ's encoder reads `/live/`. */
function partOf(isService: boolean, command: string): Part {
  if (isService) return 'service';
  if (!command.includes('ffmpeg')) return 'other';
  if (/ -f flv -i tcp:\/\/127\.0\.0\.1:\d+ /.test(command) && command.includes(' -c copy ')) return 'programPublisher';
  if (/ -i rtmp:\/\/\S+\/live\//.test(command)) return 'djEncoder';
  return 'other';
}

interface Outage {
  kind: 'drop' | 'stall';
  /** Fault → first slate frame at the sink (null: none within the timeout). */
  slateVisibleMs: number | null;
  /** The DJ's return → first DJ frame at the sink. */
  djVisibleMs: number | null;
  /** Fault → the transcoder's switch to the slate, and return → its switch to the DJ (its `program.source-changed` times). */
  switchedToSlateMs: number | null;
  switchedToDjMs: number | null;
  /**
   * Fault → the last picture the DJ's encoder sent (the switch's time less the silence it names): how
   * far behind the DJ the encoder ran, since a drop or a stall is seen only once its output falls silent.
   */
  encoderTailMs: number | null;
  faultAt: number;
  returnAt: number;
}

const environment = await createTestEnvironment('programswitch');
const work = join(environment.dataDir, 'bench');
mkdirSync(work, { recursive: true });
const hookCalls: HookCall[] = [];
let hooks: Server | null = null;
let rtmp: RtmpServer | null = null;
let sink: RtmpSink | null = null;
let transcoder: SupervisedProcess | null = null;
let relay: SupervisedProcess | null = null;
let watcher: ProgramWatcher | null = null;
let lifecycle: LifecyclePublisher | null = null;
const djs: DjStream[] = [];
const transcoderLines: string[] = [];

try {
  hooks = await startHookServer(hookCalls);
  const hookBase = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  rtmp = await RtmpServer.start(join(work, 'nginx'), { onPublish: `${hookBase}/program/publish`, onPublishDone: `${hookBase}/program/done` });
  sink = new RtmpSink('platform', join(work, 'sink'), false, { onPublish: `${hookBase}/sink/publish`, onPublishDone: `${hookBase}/sink/done` });
  await sink.start();

  // The transcoder as `npm start` runs it, at its defaults: no TRANSCODER_* of the caller's shell leaks in.
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('TRANSCODER_')));
  let slateReady = '';
  transcoder = new SupervisedProcess({
    name: 'transcoder',
    command: process.execPath,
    args: ['--max-semi-space-size=2', resolve('dist/apps/transcoder/src/main.js')],
    env: { ...inherited, ...environment.env, NO_COLOR: '1', RTMP_INTERNAL_URL: rtmp.url, TRANSCODER_ENCODER: 'libx264' },
    restart: 'never',
    readiness: { kind: 'line', pattern: /transcoder is ready/ },
    readyTimeoutMs: 60_000,
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 10_000,
  });
  transcoder.on('line', (_stream, line) => {
    transcoderLines.push(line);
    if (line.includes('slate ready')) slateReady = line;
    // Warnings and errors as they come: a transcoder that misbehaves shows here.
    if (/\b(WARN|ERROR)\b/.test(line)) log(`transcoder: ${line.replace(/^.*?(WARN|ERROR)/, '$1')}`);
  });
  await transcoder.start();
  const transcoderPid = transcoder.pid!;
  lifecycle = await LifecyclePublisher.connect(environment.natsUrl, environment.subjectPrefix, 'bench');

  const djId = randomUUID();
  const djUrl = `${rtmp.url}/live/${djId}`;
  const djPublishes = () => {
    const dj = publishAsDj(djUrl, 3_600, { size: DJ.size, fps: DJ.fps, gopFrames: DJ.fps * DJ.keyframeSeconds, colour: DJ.colour });
    djs.push(dj);
    return dj;
  };
  let dj = djPublishes();
  const broadcastId = randomUUID();
  const job: TranscodeJob = {
    broadcastId,
    environment: 'live',
    input: { app: 'live', streamName: djId },
    djName: 'DJ Bench',
    logo: null,
    slate: { organizationName: 'Club Bench', message: 'DJ Bench will be right back' },
    vj: DEFAULT_VJ_SETTINGS,
  };
  await lifecycle.publish(ProgramRequested, job, broadcastId);
  await waitFor('the program to be published', () => hookCalls.some((call) => call.server === 'program' && call.kind === 'publish' && call.name === broadcastId) || undefined, 30_000, 50);

  // One relay, as the publisher runs them: the program copied to a platform's ingest, restarted if it ends.
  relay = new SupervisedProcess({
    name: 'relay',
    command: 'ffmpeg',
    args: [
      ...supervisedFfmpegPrelude(1),
      '-fpsprobesize', '0',
      '-i', `${rtmp.url}/program/${broadcastId}`,
      '-map', '0:v?', '-map', '0:a?', '-c', 'copy',
      '-f', 'flv', '-flvflags', 'no_duration_filesize',
      `${sink.rtmpUrl}/${sink.streamKey}`,
    ],
    restart: 'always',
    backoff: { initialMs: 250, maxMs: 2_000, resetAfterMs: 10_000 },
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 5_000,
    repeatStopSignalAfterMs: 500,
  });
  relay.on('exit', (info) => {
    if (!info.requested) log(`the relay exited (${info.signal ?? `code ${info.code}`}): ${info.stderrTail.slice(-2).join(' | ')}`);
  });
  await relay.start();
  const sinkPublishes = () => hookCalls.filter((call) => call.server === 'sink' && call.kind === 'publish' && call.name === sink!.streamKey);
  await waitFor('the relay to publish at the sink', () => sinkPublishes().length > 0 || undefined, 30_000, 50);

  // What a platform's viewer sees: the sink's stream, decoded as it arrives.
  watcher = new ProgramWatcher(`${sink.rtmpUrl}/${sink.streamKey}`);
  const viewer = watcher;
  await waitFor("the DJ's picture at the sink", () => viewer.firstFrame(0, isDj), 30_000, 50);
  // The slate is encoded in the background once the program runs (nice'd, beside the real-time encoder).
  await waitFor('the slate to be ready', () => slateReady || undefined, 180_000, 100);
  log(`transcoder: ${slateReady.replace(/^.*?slate ready/, 'slate ready')}`);
  log(`DJ ${DJ.size}@${DJ.fps} with a keyframe every ${DJ.keyframeSeconds} s on air at the sink; ${OUTAGES} outages of ${AWAY_MS / 1000} s follow`);
  await sleep(ON_AIR_MS);

  const loadAtStart = round3(loadavg()[0]!);
  const meter = new SplicingCpuMeter(transcoderPid);
  meter.start();
  const outages: Outage[] = [];
  let stoppedEarly: string | null = null;
  for (let index = 0; index < OUTAGES; index += 1) {
    const kind = index % 2 === 0 ? 'drop' : 'stall';
    // Each outage starts from the DJ on air at the sink, or it would measure the one before.
    const onAir = await waitFor('the DJ on air at the sink', () => (viewer.frames.at(-1) && isDj(viewer.frames.at(-1)!) ? true : undefined), 30_000, 20).catch(() => null);
    if (!onAir) {
      stoppedEarly = `the DJ was not on air at the sink before outage ${index + 1}`;
      break;
    }
    const current = dj;
    const faultAt = Date.now();
    // A drop: the DJ's connection gone at once. A stall: the connection stays open and nothing comes.
    current.process.kill(kind === 'drop' ? 'SIGKILL' : 'SIGSTOP');
    const slate = await waitFor(`the slate after the ${kind}`, () => viewer.firstFrame(faultAt, isSlate), 15_000, 20).catch(() => null);
    await sleep(Math.max(0, faultAt + AWAY_MS - Date.now()));
    const returnAt = Date.now();
    if (kind === 'drop') dj = djPublishes();
    else current.process.kill('SIGCONT');
    const back = await waitFor(`the DJ after the ${kind}`, () => viewer.firstFrame(returnAt, isDj), DJ_BACK_TIMEOUT_MS, 20).catch(() => null);
    const outage: Outage = {
      kind,
      slateVisibleMs: slate ? slate.at - faultAt : null,
      djVisibleMs: back ? back.at - returnAt : null,
      switchedToSlateMs: null,
      switchedToDjMs: null,
      encoderTailMs: null,
      faultAt,
      returnAt,
    };
    outages.push(outage);
    log(`outage ${index + 1} (${kind}): slate at the sink after ${outage.slateVisibleMs ?? '—'} ms, DJ back after ${outage.djVisibleMs ?? '—'} ms`);
    if (!back) {
      stoppedEarly = `the DJ did not come back within ${DJ_BACK_TIMEOUT_MS / 1000} s of outage ${index + 1}`;
      break;
    }
    await sleep(ON_AIR_MS);
  }
  if (stoppedEarly) log(`outages stopped early: ${stoppedEarly}`);
  const cpu = meter.stop();

  // Track changes as the publisher announces them; four pictures a second from the sink, as they
  // arrive, and the first whose top line OCR reads as the title is when a viewer sees it.
  const pictures = new PictureReader(`${sink.rtmpUrl}/${sink.streamKey}`, join(environment.dataDir, 'track-frames'));
  const tracks: Array<{ title: string; visibleMs: number | null; read: string }> = [];
  try {
    await waitFor('pictures from the sink', () => (pictures.newest() ? true : undefined), 30_000, 100);
    for (const title of TRACKS) {
      const sentAt = Date.now();
      await lifecycle.publish(TrackChanged, { broadcastId, artist: 'Bench Artist', title, startedAt: new Date(sentAt).toISOString() }, broadcastId);
      const { at: shownAt, read } = await pictures.firstShowing(title, sentAt, 15_000, undefined, 100);
      tracks.push({ title, visibleMs: shownAt === null ? null : Math.round(shownAt - sentAt), read });
      log(`track "${title}": on the picture at the sink after ${shownAt === null ? '— (not read within 15 s)' : `${Math.round(shownAt - sentAt)} ms`}`);
      await sleep(2_000);
    }
  } finally {
    pictures.stop();
  }

  // Counted before anything is stopped: a publish_done from here on is the end, not a reconnect.
  const publishes = sinkPublishes().length;
  const doneBeforeEnd = hookCalls.filter((call) => call.server === 'sink' && call.kind === 'done' && call.name === sink!.streamKey).length;
  const programPublishes = hookCalls.filter((call) => call.server === 'program' && call.kind === 'publish' && call.name === broadcastId).length;
  const programDone = hookCalls.filter((call) => call.server === 'program' && call.kind === 'done' && call.name === broadcastId).length;
  const relayRestarts = relay.restarts;
  // A viewer joining mid-stream may be handed frames before its first keyframe: that is joining, not the switches.
  const decodeErrors = viewer.decodeErrors.filter((error) => error.afterFrames > 0);

  // The transcoder's own account of each switch (`at`: when it went on air), from the lifecycle stream.
  const switches = (await lifecycle.stored(ProgramSourceChanged)).filter((message) => message.payload.broadcastId === broadcastId).map((message) => ({ source: message.payload.source, at: Date.parse(message.payload.at), reason: message.payload.reason }));
  for (const outage of outages) {
    const toSlate = switches.find((change) => change.source === 'slate' && change.at >= outage.faultAt && change.at < outage.returnAt);
    const toDj = switches.find((change) => change.source === 'dj' && change.at >= outage.returnAt);
    outage.switchedToSlateMs = toSlate ? toSlate.at - outage.faultAt : null;
    outage.switchedToDjMs = toDj ? toDj.at - outage.returnAt : null;
    const silentMs = toSlate ? /stopped for ([\d.]+) ms/.exec(toSlate.reason)?.[1] : undefined;
    outage.encoderTailMs = toSlate && silentMs ? Math.round(toSlate.at - Number(silentMs) - outage.faultAt) : null;
  }

  // Why the DJ's encoder ended each time, as the transcoder logged it: a stall kills it; a start that fails shows here too.
  const encoderExits: Record<string, number> = {};
  for (const entry of transcoderLines) {
    const reason = /encoder exited \((.*)$/.exec(entry)?.[1]?.slice(0, 100);
    if (reason) encoderExits[reason] = (encoderExits[reason] ?? 0) + 1;
  }
  const figure = (values: Array<number | null>) => {
    const seen = values.filter((value): value is number => value !== null);
    return { p50Ms: round3(median(seen)), maxMs: seen.length ? Math.max(...seen) : Number.NaN, seen: seen.length, of: OUTAGES };
  };
  const slateFigure = figure(outages.map((outage) => outage.slateVisibleMs));
  const shownTracks = tracks.map((track) => track.visibleMs).filter((value): value is number => value !== null);
  const trackFigure = { p50Ms: round3(median(shownTracks)), maxMs: shownTracks.length ? Math.max(...shownTracks) : Number.NaN, seen: shownTracks.length, of: TRACKS.length };
  const djFigure = figure(outages.map((outage) => outage.djVisibleMs));
  const splicingCores = round3(cpu.cores.service + cpu.cores.programPublisher);
  const reconnects = publishes - 1;

  const results = {
    measuredAt: new Date().toISOString(),
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 1e9) },
    benchSeconds: Math.round((Date.now() - benchStartedAt) / 1000),
    profile: {
      program: '1920x1080@30, libx264 preset veryfast, 6000 kb/s, keyframe every 2 s (the transcoder defaults; TRANSCODER_ENCODER=libx264), TRANSCODER_STALL_MS 500 (default)',
      dj: `${DJ.size}@${DJ.fps} H.264 (libx264 ultrafast, flat ${DJ.colour}) + AAC 128 kb/s, keyframe every ${DJ.keyframeSeconds} s (${DJ.fps * DJ.keyframeSeconds} frames)`,
      sink: 'one relay (ffmpeg -c copy of rtmp://…/program/<id>) to a second nginx-rtmp; the viewer (ProgramWatcher) decodes the sink’s stream',
      outages: `${OUTAGES}, alternating drop (SIGKILL, a new publish ${AWAY_MS / 1000} s after) and stall (SIGSTOP, SIGCONT ${AWAY_MS / 1000} s after), ${ON_AIR_MS / 1000} s of DJ between them`,
    },
    targets: { p50Ms: TARGETS.p50Seconds * 1000, maxMs: TARGETS.maxSeconds * 1000, reconnects: TARGETS.reconnects },
    slateVisibleMs: slateFigure,
    djVisibleMs: djFigure,
    transcoderSwitchMs: { toSlate: figure(outages.map((outage) => outage.switchedToSlateMs)), toDj: figure(outages.map((outage) => outage.switchedToDjMs)), encoderTail: figure(outages.map((outage) => outage.encoderTailMs)) },
    stoppedEarly,
    sink: { publishes, reconnects, publishDoneBeforeEnd: doneBeforeEnd, relayRestarts },
    transcoderEncoderExits: encoderExits,
    program: { publishes: programPublishes, publishDoneBeforeEnd: programDone, switchesAnnounced: switches.length },
    decodeErrorsAfterFirstFrame: { count: decodeErrors.length, first: decodeErrors.slice(0, 10).map((error) => `after frame ${error.afterFrames}: ${error.line}`) },
    loadAverage: { atStart: loadAtStart, atEnd: round3(loadavg()[0]!) },
    cpu: { splicingCores, ...cpu.cores, windowSeconds: cpu.wallSeconds, machineCores: cpu.machineCores, processes: cpu.processes, otherCommands: cpu.otherCommands },
    outages: outages.map(({ faultAt: _fault, returnAt: _return, ...outage }) => outage),
    trackOnPictureMs: { ...trackFigure, targetMs: TRACK_TARGET_SECONDS * 1000, tracks },
  };

  const verdict = (valueMs: number, targetSeconds: number) =>
    `${(valueMs / 1000).toFixed(3)} s (target ≤ ${targetSeconds} s: ${valueMs <= targetSeconds * 1000 ? 'met' : 'MISSED'})`;
  const line = (name: string, value: ReturnType<typeof figure>) =>
    `  ${name} p50 ${verdict(value.p50Ms, TARGETS.p50Seconds)}, max ${verdict(value.maxMs, TARGETS.maxSeconds)}${value.seen < value.of ? `; ${value.of - value.seen} of ${value.of} NOT SEEN (MISSED)` : ''}`;
  console.log(`\nStreamCaster program switch benchmark (${OUTAGES} outages; program ${results.profile.program})`);
  console.log(`  DJ: ${results.profile.dj}: the return is cut in on the DJ's keyframe, so it can wait up to ${DJ.keyframeSeconds} s for one`);
  console.log(line('DJ drop/stall → slate at the sink:', slateFigure));
  console.log(line('DJ back → DJ at the sink:        ', djFigure));
  if (stoppedEarly) console.log(`    outages stopped early: ${stoppedEarly}`);
  console.log(`    per outage (slate / DJ, ms): ${outages.map((outage) => `${outage.kind} ${outage.slateVisibleMs ?? '—'} / ${outage.djVisibleMs ?? '—'}`).join(', ')}`);
  console.log(`    the transcoder's own switch (program.source-changed at): to the slate p50 ${results.transcoderSwitchMs.toSlate.p50Ms} ms, max ${results.transcoderSwitchMs.toSlate.maxMs} ms after the fault; to the DJ p50 ${results.transcoderSwitchMs.toDj.p50Ms} ms, max ${results.transcoderSwitchMs.toDj.maxMs} ms after the return`);
  console.log(`    the DJ's encoder still sent pictures after the fault (its lag): ${outages.map((outage) => `${outage.kind} ${outage.encoderTailMs ?? '—'}`).join(', ')} ms`);
  console.log(`  relay reconnects at the sink:      ${reconnects} (${publishes} publishes, ${doneBeforeEnd} publish_done before the end, ${relayRestarts} relay restarts; target ${TARGETS.reconnects}: ${reconnects === 0 && doneBeforeEnd === 0 ? 'met' : 'MISSED'})`);
  console.log(`  program publishes at the source:   ${programPublishes} (${programDone} publish_done before the end); ${switches.length} switches announced`);
  console.log(`  decode errors after the first frame: ${decodeErrors.length}${decodeErrors.length ? ` (first: ${results.decodeErrorsAfterFirstFrame.first[0]})` : ''}`);
  console.log(`  splicing CPU (transcoder node process + program publisher ffmpeg): ${splicingCores.toFixed(3)} cores (node ${cpu.cores.service.toFixed(3)}, publisher ${cpu.cores.programPublisher.toFixed(3)}) over ${cpu.wallSeconds.toFixed(0)} s`);
  console.log(`    beside it: the DJ's encoder ffmpeg ${cpu.cores.djEncoder.toFixed(3)} cores (${cpu.processes.djEncoder} runs), other children ${cpu.cores.other.toFixed(3)} ${JSON.stringify(cpu.otherCommands)}; the whole machine busy ${cpu.machineCores.toFixed(2)} of ${cpus().length} cores (load average ${results.loadAverage.atStart} → ${results.loadAverage.atEnd})`);
  console.log(`  the DJ's encoder exited (transcoder's log, whole run): ${JSON.stringify(encoderExits)}`);
  console.log(
    `  track told → title on the picture at the sink (OCR): p50 ${verdict(trackFigure.p50Ms, TRACK_TARGET_SECONDS)}, max ${verdict(trackFigure.maxMs, TRACK_TARGET_SECONDS)}${trackFigure.seen < trackFigure.of ? `; ${trackFigure.of - trackFigure.seen} of ${trackFigure.of} NOT READ (MISSED)` : ''}`,
  );

  const file = resolve('bench/results/program-switch.json');
  mkdirSync(resolve('bench/results'), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nresults kept in ${file}`);
} finally {
  // Kept outside the run's directory (removed below) for whoever looks into a figure: the transcoder's own account.
  const transcoderLog = join(tmpdir(), 'streamcaster-program-switch-bench-transcoder.log');
  writeFileSync(transcoderLog, transcoderLines.join('\n') + '\n');
  console.log(`the transcoder's log: ${transcoderLog}`);
  for (const dj of djs) {
    dj.process.kill('SIGCONT');
    dj.process.kill('SIGKILL');
  }
  await watcher?.stop();
  await relay?.stop();
  await transcoder?.stop();
  await lifecycle?.close();
  await sink?.stop();
  await rtmp?.stop();
  await new Promise((closed) => (hooks ? hooks.close(closed) : closed(undefined)));
  await environment.dispose();
}
