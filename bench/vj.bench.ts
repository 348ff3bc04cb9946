// Benchmark of the automated VJ (see bench/README.md): for a DJ who sends sound alone, the
// transcoder's one ffmpeg draws the picture from the sound (ffmpeg's audio visualisations), puts
// logo, DJ name and track line on top and encodes once. For each scene × {720p30, 1080p30}:
//   cores   CPU of that ffmpeg (utime + stime), in cores                                (target ≤ 1.3)
//   speed   whether it keeps real time: output time ÷ wall time over the window       (target ≥ 1.0)
// The job's whole command runs, with its director (beat tracking, looks on phrase starts) in this process.
// One window of BENCH_VJ_SECONDS (120) per configuration, after a warm-up.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import type { FfmpegProgress } from '@streamcaster/contracts';
import { FfmpegProgressParser, LineSplitter, lastLine, runOnce } from '@streamcaster/supervisor';
import { allProcesses, RtmpServer, waitFor, type ProcSample } from '@streamcaster/testing';
import { CpuMeter, descendants } from './process-meter.js';

const WINDOW_SECONDS = Number(process.env.BENCH_VJ_SECONDS ?? 120);
/** Start-up (RTMP connect, probe, x264's lookahead filling) stays out of the window. */
const WARM_UP_SECONDS = 15;
/** Speed is also taken over slices of this length, to see a stretch that fell behind inside the window. */
const SLICE_SECONDS = 30;
const FPS = 30;
/** The director changes the look every this many beats (TRANSCODER_VJ_PHRASE_BEATS' default). */
const PHRASE_BEATS = 16;
/** The transcoder's default bitrate at 1080p (TRANSCODER_VIDEO_BITRATE_KBPS); 3500 at 720p is our pick. */
const SIZES = [
  { width: 1280, height: 720, videoBitrateKbps: 3500 },
  { width: 1920, height: 1080, videoBitrateKbps: 6000 },
] as const;
const TARGETS = { cores: 1.3, speed: 1.0 };
/**
 * A live encoder cannot run ahead of its input, so "speed ≥ 1.0" means keeping real time: output time
 * over wall time within 0.5 % of 1 (what rounds to 1.00), the frame rate likewise, and never more than
 * MAX_LAG_SECONDS behind the wall clock inside the window. The last matters: the DJ's sound is a few
 * KB a second, so nginx-rtmp and the socket buffers hold minutes of it, and an encoder starved for a
 * while falls tens of seconds behind and then catches up with no frame lost; the window's average alone
 * would call that real time.
 */
const REAL_TIME_TOLERANCE = 0.005;
const MAX_LAG_SECONDS = 1;
const FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
const DJ_NAME = 'DJ Bench — Late Night Session';
const TRACK = 'Bicep – Glue (Extended Mix)';
const LOGO_SIZE = { width: 600, height: 240 };
const benchStartedAt = Date.now();

// The command under test is the transcoder's own. An app's code is not a library (the module
// boundaries keep every other project off it), so it is loaded from the build at run time, as
// tests/checks/metric-names.spec.ts loads the apps' metrics; the types still come from the source.
type TranscodeArgsModule = typeof import('../apps/transcoder/src/encoders/transcode-args.js');
type VjPictureModule = typeof import('../apps/transcoder/src/vj/vj-picture.js');
type VjDirectorModule = typeof import('../apps/transcoder/src/vj/vj-director.js');
type VjEvent = import('../apps/transcoder/src/vj/vj-director.js').VjEvent;
type OverlayLayoutModule = typeof import('../apps/transcoder/src/composition/overlay-layout.js');
type NameCardModule = typeof import('../apps/transcoder/src/composition/name-card.js');
type SlateModule = typeof import('../apps/transcoder/src/program/slate.js');
const transcoderModule = <T>(path: string) => import(new URL(`../apps/transcoder/src/${path}`, import.meta.url).href) as Promise<T>;
const { buildTranscodeArgs } = await transcoderModule<TranscodeArgsModule>('encoders/transcode-args.js');
const { VJ_SCENES, vjLooks } = await transcoderModule<VjPictureModule>('vj/vj-picture.js');
const { VjDirector } = await transcoderModule<VjDirectorModule>('vj/vj-director.js');
const { layoutProgram } = await transcoderModule<OverlayLayoutModule>('composition/overlay-layout.js');
const { renderNameCard } = await transcoderModule<NameCardModule>('composition/name-card.js');
const { pictureText } = await transcoderModule<SlateModule>('program/slate.js');
type VjScene = (typeof VJ_SCENES)[number];

const work = mkdtempSync(join(tmpdir(), 'streamcaster-bench-vj-'));
const children: ChildProcess[] = [];
let rtmp: RtmpServer | null = null;

function log(message: string): void {
  console.log(`[bench +${Math.round((Date.now() - benchStartedAt) / 1000)}s] ${message}`);
}

const sleep = (ms: number) => new Promise((settle) => setTimeout(settle, ms));

function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * The other processes that used the most CPU between two snapshots of /proc (whole processes seen in
 * both: enough to name what else ran on the machine), in cores.
 */
function busiestOthers(before: Map<number, ProcSample>, after: Map<number, ProcSample>, ours: (pid: number) => boolean, seconds: number) {
  return [...after]
    .filter(([pid]) => before.has(pid) && !ours(pid))
    .map(([pid, sample]) => ({ cores: (sample.cpuSeconds - before.get(pid)!.cpuSeconds) / seconds, command: sample.command.slice(0, 100) }))
    .filter((other) => other.cores >= 0.02)
    .sort((a, b) => b.cores - a.cores)
    .slice(0, 5);
}

/** The 1-, 5- and 15-minute load averages. */
function loadAverage(): number[] {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}

async function ffmpegOnce(args: string[], what: string): Promise<void> {
  const result = await runOnce('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', ...args], 300_000);
  if (result.code !== 0) throw new Error(`${what} failed: ${lastLine(result.stderr)}`);
}

/**
 * A minute of music-like stereo sound, AAC in FLV: a kick at 120 BPM, a bass line, tones that glide
 * through the spectrum (different on each side, so that the vector scope has a stereo image) and pink
 * noise. Rendered once, then published looped with `-c copy`: generating it live costs ~0.13 core,
 * which would be taken from the encoder on a 2-core machine.
 */
async function renderMusic(file: string): Promise<void> {
  const kick = '0.30*exp(-10*mod(t,0.5))*sin(2*PI*(50*t+8*exp(-20*mod(t,0.5))))';
  const left = `${kick}+0.14*sin(2*PI*(220*t+40*sin(2*PI*t/7)))*(0.6+0.4*sin(2*PI*t/0.25))+0.10*sin(2*PI*(660*t+300*sin(2*PI*t/11)))+0.05*sin(2*PI*(2640*t+900*sin(2*PI*t/5)))`;
  const right = `${kick}+0.14*sin(2*PI*(277*t+40*sin(2*PI*t/9)))*(0.6+0.4*cos(2*PI*t/0.25))+0.10*sin(2*PI*(550*t+300*cos(2*PI*t/13)))+0.05*sin(2*PI*(3300*t+900*cos(2*PI*t/6)))`;
  await ffmpegOnce(
    [
      '-f', 'lavfi', '-i',
      `aevalsrc=exprs='${left}|${right}':s=48000:c=stereo[tones];anoisesrc=c=pink:a=0.08:r=48000,aformat=channel_layouts=stereo[noise];[tones][noise]amix=inputs=2:normalize=0[out0]`,
      '-t', '60', '-c:a', 'aac', '-b:a', '160k', '-f', 'flv', '-y', file,
    ],
    'rendering the music',
  );
}

async function renderLogo(file: string): Promise<void> {
  await ffmpegOnce(
    [
      '-f', 'lavfi', '-i', `color=c=0x1e90ff@0.85:s=${LOGO_SIZE.width}x${LOGO_SIZE.height},format=rgba`,
      '-vf', `drawtext=fontfile=${FONT_FILE}:text=STREAMCASTER:fontcolor=white:fontsize=72:x=(w-text_w)/2:y=(h-text_h)/2`,
      '-frames:v', '1', '-y', file,
    ],
    'drawing the logo',
  );
}

/** The DJ: sound alone, published in real time to the ingest, as Traktor or OBS audio-only would. */
function publishDj(music: string, url: string): ChildProcess {
  const dj = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', music, '-c', 'copy', '-f', 'flv', url], { stdio: 'ignore' });
  children.push(dj);
  return dj;
}

interface ProgressAt extends FfmpegProgress {
  /** Wall time of the block's arrival, in seconds since the encoder started. */
  at: number;
}

interface Run {
  scene: VjScene;
  size: string;
  videoBitrateKbps: number;
  /** The VJ's ffmpeg. */
  cores: number;
  /**
   * What real time would take: `cores` ÷ the window's speed when it fell behind (a starved encoder
   * uses less CPU than the job needs). The cores target is held against this.
   */
  coresAtRealTime: number;
  /**
   * ffmpeg's own `speed=` values inside the window: its output time ÷ its wall time since it started.
   * The half second of input probed before its clock starts counts as output, so a live encoder
   * reads a little over 1 early on; the window's speed is the sustained figure.
   */
  ffmpegSpeed: { min: number; median: number; max: number; values: number };
  /** Output time gained ÷ wall time over the whole window: the sustained speed. */
  windowSpeed: number;
  /** The same over each slice of SLICE_SECONDS. */
  sliceSpeed: { min: number; median: number; slices: number[] };
  /** Frames out per wall second over the window. */
  fps: number;
  /** How far the output fell behind the wall clock over the window, in seconds (negative: ran ahead, catching up). */
  lagGrowthSeconds: number;
  /** The furthest behind the wall clock the output was at any point of the window, counted from its start. */
  maxLagSeconds: number;
  /** The same at the end of each slice. */
  lagAtSliceEnds: number[];
  droppedFrames: number;
  duplicatedFrames: number;
  /** Whole run, warm-up included. */
  droppedFramesTotal: number;
  duplicatedFramesTotal: number;
  meetsCores: boolean;
  meetsSpeed: boolean;
  /** The DJ's publisher and nginx-rtmp (ours, not the VJ). */
  helpersCores: number;
  /** This process: the VJ's director (beat tracking, commands) and the meter's sampling. */
  benchProcessCores: number;
  looksInWindow: number;
  looksOnBeat: number;
  /** The tempo the director last found (the music is 120 BPM), null when it has none. */
  tempoBpm: number | null;
  /** Every other process of the machine, over the same window. */
  otherLoadCores: number;
  /** Which other processes that was, the busiest first. */
  busiestOthers: Array<{ cores: number; command: string }>;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
  windowSeconds: number;
  warnings: string[];
  command: string[];
}

/** The transcoder's command for one scene and size, on the DJ's stream, run for one window. */
async function runConfiguration(scene: VjScene, size: (typeof SIZES)[number], inputUrl: string, logoPath: string): Promise<Run> {
  const { width, height, videoBitrateKbps } = size;
  const directory = join(work, `${scene}-${height}p`);
  mkdirSync(directory, { recursive: true });
  // As a job prepares its inputs (transcode-session.ts): the layout from the frame and the logo's
  // size, the name card drawn once, the track line in a file read at every frame.
  const layout = layoutProgram({ width, height }, LOGO_SIZE, 'top-right');
  const nameCardPath = await renderNameCard({ ffmpegPath: 'ffmpeg', fontFile: FONT_FILE, djName: DJ_NAME, layout, directory });
  const nowPlayingFile = join(directory, 'now-playing.txt');
  writeFileSync(nowPlayingFile, pictureText(TRACK, 90), 'utf8');
  // The job's director too: it follows the beat and sends the looks to the encoder's console.
  const events: VjEvent[] = [];
  let ffmpegConsole: NodeJS.WritableStream | null = null;
  const director = new VjDirector({
    scene: () => scene,
    looks: vjLooks('rainbow'),
    beatsPerPhrase: PHRASE_BEATS,
    send: (text) => ffmpegConsole?.write(text) ?? false,
    onEvent: (event) => events.push(event),
  });
  const directorUrl = await director.listen();
  const command = buildTranscodeArgs({
    encoder: { kind: 'libx264' },
    inputKind: 'audio-only',
    vjScene: scene,
    vjDirectorUrl: directorUrl,
    profile: { width, height, fps: FPS, videoBitrateKbps, audioBitrateKbps: 160, keyframeSeconds: 2, x264Preset: 'veryfast' },
    inputUrl,
    // A program stream on the local nginx-rtmp, which nobody plays: the muxing and the socket are paid as in a job.
    outputUrl: `${rtmp!.url}/program/vj-${scene}-${height}p`,
    layout,
    logoPath,
    nameCardPath,
    nowPlaying: { file: nowPlayingFile, fontFile: FONT_FILE },
  });

  const startedAt = performance.now();
  const progress: ProgressAt[] = [];
  const warnings: string[] = [];
  const encoder = spawn('ffmpeg', command, { stdio: ['pipe', 'pipe', 'pipe'] });
  encoder.stdin.on('error', () => undefined);
  ffmpegConsole = encoder.stdin;
  children.push(encoder);
  const parser = new FfmpegProgressParser((block) => progress.push({ ...block, at: (performance.now() - startedAt) / 1000 }));
  const stdout = new LineSplitter((line) => parser.pushLine(line));
  // ffmpeg's console echoes each of the director's commands on stderr: not a warning.
  const consoleEcho = /^(Enter command: |Command reply for stream )/;
  const stderr = new LineSplitter((line) => line.trim() && !consoleEcho.test(line) && warnings.length < 50 && warnings.push(line));
  encoder.stdout.on('data', (chunk: Buffer) => stdout.push(chunk.toString('utf8')));
  encoder.stderr.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  const exited = new Promise<number | null>((settle) => encoder.once('exit', (code) => settle(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));

  await waitFor(`pictures from the ${scene} scene at ${height}p`, () => {
    if (exitCode !== undefined) throw new Error(`ffmpeg exited (${exitCode}): ${warnings.at(-1) ?? ''}`);
    return progress.some((block) => block.frame > 0) || undefined;
  }, 30_000);
  await sleep(WARM_UP_SECONDS * 1000);
  if (exitCode !== undefined) throw new Error(`the ${scene} ${height}p encoder exited (${exitCode}): ${warnings.join(' | ')}`);

  const loadAverageBefore = loadAverage();
  const firstBlock = progress.length;
  // Everything this bench runs is below its own process: the VJ, the DJ's publisher, nginx-rtmp.
  const meter = new CpuMeter(() => [process.pid]);
  const processesBefore = allProcesses();
  const ownCpuBefore = process.cpuUsage();
  const looksBefore = events.filter((event) => event.kind === 'look').length;
  meter.start();
  await sleep(WINDOW_SECONDS * 1000);
  const measured = meter.stop();
  const ownCpu = process.cpuUsage(ownCpuBefore);
  const looksInWindow = events.filter((event) => event.kind === 'look').length - looksBefore;
  const tempo = events.filter((event) => event.kind === 'tempo').at(-1);
  const processesAfter = allProcesses();
  const ours = descendants(processesAfter, [process.pid]);
  const loadAverageAfter = loadAverage();
  const blocks = progress.slice(Math.max(0, firstBlock - 1));
  const lastBlock = progress.at(-1)!;
  encoder.kill('SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!stopped) encoder.kill('SIGKILL');
  await director.close();
  if (exitCode !== undefined && exitCode !== null && exitCode !== 0 && exitCode !== 255) log(`the encoder exited with ${exitCode}`);

  const cores = (name: string) => (measured.byCommand.get(name) ?? 0) / measured.wallSeconds;
  // ffmpegRole: the VJ reads the ingest (`/live/`), so it is the "transcoder"; the DJ's publisher is "other".
  const vjCores = cores('ffmpeg:transcoder');
  const [first, last] = [blocks[0]!, blocks.at(-1)!];
  const wall = last.at - first.at;
  const windowSpeed = (last.outTimeSeconds - first.outTimeSeconds) / wall;
  const fps = (last.frame - first.frame) / wall;
  const lagAt = (block: ProgressAt) => block.at - first.at - (block.outTimeSeconds - first.outTimeSeconds);
  const slices: number[] = [];
  const lagAtSliceEnds: number[] = [];
  for (let from = first; ; ) {
    const to = blocks.find((block) => block.at >= from.at + SLICE_SECONDS);
    if (!to) break;
    slices.push((to.outTimeSeconds - from.outTimeSeconds) / (to.at - from.at));
    lagAtSliceEnds.push(lagAt(to));
    from = to;
  }
  const maxLagSeconds = Math.max(...blocks.map(lagAt));
  const speeds = blocks.slice(1).map((block) => block.speed).filter((speed) => speed > 0);
  const realTime = TARGETS.speed * (1 - REAL_TIME_TOLERANCE);
  const run: Run = {
    scene,
    size: `${width}x${height}`,
    videoBitrateKbps,
    cores: vjCores,
    coresAtRealTime: vjCores / Math.min(1, windowSpeed),
    ffmpegSpeed: { min: Math.min(...speeds), median: median(speeds), max: Math.max(...speeds), values: speeds.length },
    windowSpeed,
    sliceSpeed: { min: slices.length ? Math.min(...slices) : Number.NaN, median: median(slices), slices },
    fps,
    lagGrowthSeconds: lagAt(last),
    maxLagSeconds,
    lagAtSliceEnds,
    droppedFrames: last.droppedFrames - first.droppedFrames,
    duplicatedFrames: last.duplicatedFrames - first.duplicatedFrames,
    droppedFramesTotal: lastBlock.droppedFrames,
    duplicatedFramesTotal: lastBlock.duplicatedFrames,
    meetsCores: vjCores / Math.min(1, windowSpeed) <= TARGETS.cores,
    meetsSpeed: windowSpeed >= realTime && fps >= FPS * realTime && maxLagSeconds <= MAX_LAG_SECONDS,
    helpersCores: cores('ffmpeg:other') + cores('nginx-rtmp'),
    benchProcessCores: (ownCpu.user + ownCpu.system) / 1e6 / measured.wallSeconds,
    looksInWindow,
    looksOnBeat: events.filter((event) => event.kind === 'look' && event.beat !== null).length,
    tempoBpm: tempo?.kind === 'tempo' ? tempo.bpm : null,
    otherLoadCores: Math.max(0, measured.machineCpuSeconds - measured.cpuSeconds) / measured.wallSeconds,
    busiestOthers: busiestOthers(processesBefore, processesAfter, (pid) => ours.has(pid), measured.wallSeconds),
    loadAverageBefore,
    loadAverageAfter,
    windowSeconds: measured.wallSeconds,
    warnings,
    command,
  };
  log(
    `${scene} ${height}p: ${run.cores.toFixed(3)} cores (${run.coresAtRealTime.toFixed(3)} at real time), speed over the window ${run.windowSpeed.toFixed(4)} (${SLICE_SECONDS} s slices min ${run.sliceSpeed.min.toFixed(3)}), at worst ${run.maxLagSeconds.toFixed(2)} s behind, ` +
      `director: ${run.looksInWindow} looks in the window, tempo ${run.tempoBpm?.toFixed(1) ?? 'none'}, this process ${run.benchProcessCores.toFixed(3)} cores; ` +
      `ffmpeg speed= min ${run.ffmpegSpeed.min.toFixed(3)} median ${run.ffmpegSpeed.median.toFixed(3)}, ${run.fps.toFixed(2)} fps, dropped ${run.droppedFrames} duplicated ${run.duplicatedFrames}; ` +
      `other load ${run.otherLoadCores.toFixed(2)} cores (busiest: ${run.busiestOthers.slice(0, 3).map((other) => `${other.cores.toFixed(2)} ${other.command.slice(0, 40)}`).join('; ') || 'none'}), load average ${loadAverageBefore[0]} → ${loadAverageAfter[0]}${warnings.length ? `; ffmpeg said: ${warnings.slice(0, 3).join(' | ')}` : ''}`,
  );
  return run;
}

/** The cheapest configuration that meets both targets, at 1080p if any does, else at 720p. */
function defaultChoice(runs: Run[]): Run | null {
  for (const size of [...SIZES].reverse()) {
    const meeting = runs.filter((run) => run.size === `${size.width}x${size.height}` && run.meetsCores && run.meetsSpeed);
    if (meeting.length) return meeting.reduce((best, run) => (run.coresAtRealTime < best.coresAtRealTime ? run : best));
  }
  return null;
}

function results(runs: Run[], finished: boolean) {
  const choice = defaultChoice(runs);
  return {
    measuredAt: new Date().toISOString(),
    finished,
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 1e9), encoder: 'libx264 (no GPU)' },
    windowSeconds: WINDOW_SECONDS,
    warmUpSeconds: WARM_UP_SECONDS,
    benchSeconds: Math.round((Date.now() - benchStartedAt) / 1000),
    profile: `${FPS} fps, libx264 veryfast, 2 s GOP, AAC 160 kb/s; 1280x720 at 3500 kb/s, 1920x1080 at 6000 kb/s`,
    input: 'audio only: 60 s of music-like stereo AAC 160 kb/s (kick, bass, gliding tones, pink noise), published looped in real time (-re, -c copy) to a local nginx-rtmp and read from /live/ as a job does',
    output: 'FLV to a program stream on the same nginx-rtmp (nobody plays it)',
    overlays: { logo: `${LOGO_SIZE.width}x${LOGO_SIZE.height} PNG, top-right`, nameCard: DJ_NAME, nowPlaying: TRACK },
    targets: { ...TARGETS, realTimeTolerance: REAL_TIME_TOLERANCE, maxLagSeconds: MAX_LAG_SECONDS },
    defaultChoice: choice ? { scene: choice.scene, size: choice.size, cores: choice.coresAtRealTime, windowSpeed: choice.windowSpeed } : null,
    runs,
  };
}

function writeResults(runs: Run[], finished: boolean): string {
  const file = resolve('bench/results/vj.json');
  // Four decimals are more than the measurement holds.
  writeFileSync(file, JSON.stringify(results(runs, finished), (_key, value: unknown) => (typeof value === 'number' ? Number(value.toFixed(4)) : value), 2) + '\n');
  return file;
}

/** Leaves nothing behind: no ffmpeg, no nginx, no scratch folder, whether the bench ends or is stopped. */
async function cleanUp(): Promise<void> {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await rtmp?.stop();
  rmSync(work, { recursive: true, force: true });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping (the configurations measured so far are in bench/results/vj.json)`);
    void cleanUp().finally(() => process.exit(128 + (signal === 'SIGINT' ? 2 : 15)));
  });
}

try {
  log(`machine before: load average ${loadAverage().join(' ')}; window ${WINDOW_SECONDS} s per configuration after ${WARM_UP_SECONDS} s of warm-up`);
  const music = join(work, 'music.flv');
  const logoPath = join(work, 'logo.png');
  await renderMusic(music);
  await renderLogo(logoPath);
  rtmp = await RtmpServer.start(join(work, 'rtmp'));
  const ingest = `${rtmp.url}/live/vj-bench-dj`;
  const dj = publishDj(music, ingest);
  await sleep(2_000);

  const runs: Run[] = [];
  for (const scene of VJ_SCENES) {
    for (const size of SIZES) {
      if (dj.exitCode !== null) throw new Error(`the DJ's publisher exited (${dj.exitCode})`);
      runs.push(await runConfiguration(scene, size, ingest, logoPath));
      writeResults(runs, false);
    }
  }

  const choice = defaultChoice(runs);
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(`\nAutomated VJ + encode, ${WINDOW_SECONDS} s per configuration (targets: ≤ ${TARGETS.cores} cores, speed ≥ ${TARGETS.speed.toFixed(1)})`);
  console.log(`  scene      size        kb/s   cores  at real time  speed (window)  ${SLICE_SECONDS} s min  max lag  ffmpeg speed= min/median  fps     drop/dup  other load  cores   speed`);
  for (const run of runs) {
    console.log(
      `  ${run.scene.padEnd(10)} ${run.size.padEnd(10)} ${String(run.videoBitrateKbps).padStart(5)}  ${run.cores.toFixed(3)}  ${run.coresAtRealTime.toFixed(3).padStart(12)}  ${run.windowSpeed.toFixed(4).padStart(14)}  ${run.sliceSpeed.min.toFixed(3).padStart(8)}  ${`${run.maxLagSeconds.toFixed(1)} s`.padStart(7)}  ` +
        `${`${run.ffmpegSpeed.min.toFixed(3)} / ${run.ffmpegSpeed.median.toFixed(3)}`.padStart(24)}  ${run.fps.toFixed(2).padStart(6)}  ${`${run.droppedFrames}/${run.duplicatedFrames}`.padStart(8)}  ${run.otherLoadCores.toFixed(2).padStart(10)}  ${verdict(run.meetsCores).padEnd(6)}  ${verdict(run.meetsSpeed)}`,
    );
  }
  console.log(
    choice
      ? `\n  default choice on this machine: ${choice.scene} at ${choice.size} (${choice.coresAtRealTime.toFixed(3)} cores, speed ${choice.windowSpeed.toFixed(4)})`
      : '\n  default choice on this machine: none meets both targets at either size',
  );
  console.log(`  whole bench: ${Math.round((Date.now() - benchStartedAt) / 1000)} s; load average after ${loadAverage().join(' ')}`);
  console.log(`\nresults kept in ${writeResults(runs, true)}`);
} finally {
  await cleanUp();
}
