import { supervisedFfmpegPrelude } from '@streamcaster/supervisor';
import type { Placement, ProgramLayout } from '../composition/overlay-layout.js';
import { ANALYSIS_RATE } from '../vj/beat-tracker.js';
import { vjPicture, type VjLook, type VjScene } from '../vj/vj-picture.js';
import type { EncoderChoice, ProgramProfile } from './encoder-profile.js';

/**
 * What the DJ sends: a picture (with its sound), or sound alone (Traktor, OBS audio only, a hardware
 * encoder), for which the automated VJ makes the picture.
 */
export type InputKind = 'picture' | 'audio-only';

export interface TranscodeArgsInput {
  encoder: EncoderChoice;
  /** 'picture' when not given. */
  inputKind?: InputKind;
  /** The VJ scene for an audio-only input ('spectrum' when not given). */
  vjScene?: VjScene;
  /** The VJ's look the encoder starts on (the rainbow's first when not given). */
  vjLook?: VjLook;
  /**
   * Where the VJ's director listens for the program's sound (an audio-only input): the encoder
   * sends it there as a second output, and reads the director's filter commands on its stdin.
   */
  vjDirectorUrl?: string;
  /**
   * The DJ sends a picture without sound: the program gets silence instead, so that it always has the
   * AAC track the slate has (a splice between a program without sound and the slate would change the
   * stream's tracks, which players and platforms do not follow).
   */
  silentInput?: boolean;
  /**
   * How much of the input ffmpeg reads before it settles which streams there are (0.5 s when not
   * given). A DJ's fresh publish starts on a keyframe, so half a second finds the picture at once
   * (and starts 0.7 s sooner than the default). An encoder that joins a running stream (restarted
   * after a stall) gets the sound at once and the picture only from the next keyframe: it needs up
   * to a GOP, or it concludes there is no picture.
   */
  probeSeconds?: number;
  profile: ProgramProfile;
  inputUrl: string;
  /** HTTP request headers of an Icecast input (the reader's credentials), `\r\n`-terminated. */
  inputHeaders?: string | null;
  outputUrl: string;
  layout: ProgramLayout;
  /** Still images, decoded once: the overlay filter repeats their only frame. */
  logoPath: string | null;
  nameCardPath: string;
  /**
   * The track playing now: a text file drawn at the top, read again at every frame (`reload`), so
   * that a new track needs no restart; the file is replaced whole (rename), never written in place.
   * Drawn on the libx264 path only: on the GPU paths the frames stay on the GPU, where ffmpeg 5.1
   * has no text filter (a known gap, see the README).
   */
  nowPlaying?: { file: string; fontFile: string };
}

/**
 * The one ffmpeg command of a broadcast: decode the DJ's input once, compose logo and name, encode
 * once, publish the program. Each encoder path keeps the frames where its encoder wants them: on the
 * GPU for NVENC, VAAPI and QSV (only the two small still images are uploaded), in memory for libx264.
 */
export function buildTranscodeArgs(input: TranscodeArgsInput): string[] {
  for (const path of [input.logoPath, input.nameCardPath, input.nowPlaying?.file ?? null, input.nowPlaying?.fontFile ?? null]) {
    // Paths go into ffmpeg's own argument list, not a shell, but stay plain to keep logs readable.
    if (path !== null && !/^[\w./-]+$/.test(path)) throw new Error(`unsafe characters in overlay path ${path}`);
  }
  const { profile, layout } = input;
  const stillInputs = [...(input.logoPath ? ['-i', input.logoPath] : []), '-i', input.nameCardPath];
  const nameInput = input.logoPath ? 2 : 1;
  const silenceInput = nameInput + 1;
  const vjScene = input.inputKind === 'audio-only' ? (input.vjScene ?? 'spectrum') : null;
  const director = vjScene ? (input.vjDirectorUrl ?? null) : null;
  const prelude = supervisedFfmpegPrelude(1);

  return [
    // The director's commands come in on ffmpeg's console (its stdin): the one way to queue a filter
    // command for a stream time (the zmq filter runs a command on whatever frame comes next).
    ...(director ? prelude.filter((arg) => arg !== '-nostdin') : prelude),
    ...hardwareInit(input.encoder),
    // The input opens on the DJ's first keyframe (the gateway holds the DJ until we listen), so the
    // streams are known at once; estimating the frame rate from 20 frames would only add ~1.5 s.
    '-fpsprobesize', '0',
    '-analyzeduration', String(Math.round((input.probeSeconds ?? 0.5) * 1_000_000)),
    ...(input.inputHeaders ? ['-headers', input.inputHeaders] : []),
    '-i', input.inputUrl,
    ...stillInputs,
    ...(input.silentInput ? ['-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo'] : []),
    '-filter_complex', filterGraph(input.encoder, profile, layout, input.logoPath !== null, nameInput, input.nowPlaying, vjScene && { scene: vjScene, look: input.vjLook }, director !== null),
    '-map', '[program]',
    // Not optional: an input without sound fails at once with "Stream map '0:a:0' matches no streams",
    // and the session runs again with silence (silentInput). Only the first sound track: the slate has one.
    '-map', director ? '[programsound]' : input.silentInput ? `${silenceInput}:a` : '0:a:0',
    ...videoEncoderArgs(input.encoder, profile),
    ...audioEncoderArgs(profile),
    '-f', 'flv',
    '-flvflags', 'no_duration_filesize',
    // Each packet leaves at once: the program switcher reads a stall from the silence of this output.
    '-flush_packets', '1',
    input.outputUrl,
    ...(director ? ['-map', '[beats]', '-c:a', 'pcm_f32le', '-f', 'f32le', '-flush_packets', '1', director] : []),
  ];
}

/** The program's audio, the same for the DJ's encode and the slate's (their AAC headers must match). */
export function audioEncoderArgs(profile: ProgramProfile): string[] {
  return ['-c:a', 'aac', '-b:a', `${profile.audioBitrateKbps}k`, '-ar', '48000', '-ac', '2'];
}

/**
 * Written into the SPS. Without them the DJ's encode and the slate's differ (the DJ's input carries
 * colour tags, a generated slate none), and a splice between them changes the SPS mid-stream.
 */
export const COLOUR_ARGS = ['-color_primaries', 'bt709', '-color_trc', 'bt709', '-colorspace', 'bt709', '-color_range', 'tv'];

/** Only the device: for a still or generated input that is uploaded, not decoded, on the GPU. */
export function hardwareDeviceArgs(encoder: EncoderChoice): string[] {
  const init = hardwareInit(encoder);
  const at = init.indexOf('-hwaccel');
  return at < 0 ? init : init.slice(0, at);
}

/** From frames in memory to frames the encoder takes, in the pixel format of the program's path. */
export function uploadFilter(encoder: EncoderChoice): string {
  switch (encoder.kind) {
    case 'libx264':
      return 'format=yuv420p';
    case 'nvenc':
      return 'format=yuv420p,hwupload_cuda';
    case 'vaapi':
      return 'format=nv12,hwupload';
    case 'qsv':
      return 'format=nv12,hwupload=extra_hw_frames=16';
  }
}

function hardwareInit(encoder: EncoderChoice): string[] {
  switch (encoder.kind) {
    case 'nvenc':
      return ['-init_hw_device', 'cuda=gpu:0', '-filter_hw_device', 'gpu', '-hwaccel', 'cuda', '-hwaccel_device', 'gpu', '-hwaccel_output_format', 'cuda'];
    case 'vaapi':
      return [
        '-init_hw_device', `vaapi=gpu:${encoder.device ?? '/dev/dri/renderD128'}`,
        '-filter_hw_device', 'gpu',
        '-hwaccel', 'vaapi', '-hwaccel_device', 'gpu', '-hwaccel_output_format', 'vaapi',
      ];
    case 'qsv':
      return ['-init_hw_device', 'qsv=gpu:hw', '-filter_hw_device', 'gpu', '-hwaccel', 'qsv', '-hwaccel_output_format', 'qsv'];
    case 'libx264':
      return [];
  }
}

const at = (placement: Placement) => `x=${placement.x}:y=${placement.y}`;

function filterGraph(
  encoder: EncoderChoice,
  profile: ProgramProfile,
  layout: ProgramLayout,
  hasLogo: boolean,
  nameInput: number,
  nowPlaying: TranscodeArgsInput['nowPlaying'],
  vj: { scene: VjScene; look: VjLook | undefined } | null,
  directed: boolean,
): string {
  const { width: w, height: h, fps } = profile;
  const chains: string[] = [];
  const logo = hasLogo ? layout.logo : null;
  // Sound alone: the VJ draws the base picture from it, in memory, and hands it to the encoder's path.
  const vjScene = vj?.scene ?? null;
  if (vj && directed) {
    // One stream time for the picture, the program's sound and the director's copy: the count of
    // samples, from 0 (Icecast's chained Ogg and a reconnecting input may jump), so that the
    // director's sample n is the filters' time n ÷ rate and its commands land on the frame meant.
    chains.push('[0:a]asetpts=N/SR/TB,asplit=3[vjsound][programsound][vjcopy]');
    chains.push(`[vjcopy]aformat=sample_fmts=flt:sample_rates=${ANALYSIS_RATE}:channel_layouts=mono[beats]`);
    chains.push(`[vjsound]${vjPicture(vj.scene, w, h, fps, vj.look)},${uploadFilter(encoder)}[base]`);
  } else if (vj) {
    chains.push(`[0:a]${vjPicture(vj.scene, w, h, fps, vj.look)},${uploadFilter(encoder)}[base]`);
  }
  switch (encoder.kind) {
    case 'libx264': {
      // Letterbox any input aspect ratio into the program frame; constant frame rate for the platforms.
      if (!vjScene) chains.push(`[0:v]scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,fps=${fps},format=yuv420p[base]`);
      if (logo) {
        chains.push(`[1:v]scale=${logo.width}:${logo.height},format=yuva420p[logo]`);
        chains.push(`[base][logo]overlay=${at(logo)}:format=yuv420[branded]`);
      }
      if (!nowPlaying) {
        chains.push(`[${logo ? 'branded' : 'base'}][${nameInput}:v]overlay=${at(layout.nameCard)}:format=yuv420[program]`);
        break;
      }
      chains.push(`[${logo ? 'branded' : 'base'}][${nameInput}:v]overlay=${at(layout.nameCard)}:format=yuv420[named]`);
      chains.push(`[named]${nowPlayingText(layout, h, nowPlaying)}[program]`);
      break;
    }
    case 'nvenc': {
      if (!vjScene) chains.push(`[0:v]scale_cuda=${w}:${h}:format=yuv420p,fps=${fps}[base]`);
      if (logo) {
        chains.push(`[1:v]scale=${logo.width}:${logo.height},format=yuva420p,hwupload_cuda[logo]`);
        chains.push(`[base][logo]overlay_cuda=${at(logo)}[branded]`);
      }
      chains.push(`[${nameInput}:v]format=yuva420p,hwupload_cuda[name]`);
      chains.push(`[${logo ? 'branded' : 'base'}][name]overlay_cuda=${at(layout.nameCard)}[program]`);
      break;
    }
    case 'vaapi': {
      if (!vjScene) chains.push(`[0:v]scale_vaapi=w=${w}:h=${h}:format=nv12,fps=${fps}[base]`);
      if (logo) {
        chains.push(`[1:v]scale=${logo.width}:${logo.height},format=rgba,hwupload[logo]`);
        chains.push(`[base][logo]overlay_vaapi=${at(logo)}[branded]`);
      }
      chains.push(`[${nameInput}:v]format=rgba,hwupload[name]`);
      chains.push(`[${logo ? 'branded' : 'base'}][name]overlay_vaapi=${at(layout.nameCard)}[program]`);
      break;
    }
    case 'qsv': {
      if (!vjScene) chains.push(`[0:v]scale_qsv=w=${w}:h=${h},fps=${fps}[base]`);
      if (logo) {
        chains.push(`[1:v]scale=${logo.width}:${logo.height},format=bgra,hwupload=extra_hw_frames=16[logo]`);
        chains.push(`[base][logo]overlay_qsv=${at(logo)}[branded]`);
      }
      chains.push(`[${nameInput}:v]format=bgra,hwupload=extra_hw_frames=16[name]`);
      chains.push(`[${logo ? 'branded' : 'base'}][name]overlay_qsv=${at(layout.nameCard)}[program]`);
      break;
    }
  }
  return chains.join(';');
}

/** The program's video encoder: the DJ's encode and the slate's use exactly these. */
export function videoEncoderArgs(encoder: EncoderChoice, profile: ProgramProfile): string[] {
  return [...videoCodecArgs(encoder, profile, profile.fps * profile.keyframeSeconds), ...COLOUR_ARGS];
}

/** The track line, centred at the top between the corners where a logo may be; empty draws nothing. */
function nowPlayingText(layout: ProgramLayout, height: number, nowPlaying: NonNullable<TranscodeArgsInput['nowPlaying']>): string {
  const size = Math.max(16, Math.round(layout.nameFontSize * 0.8));
  return [
    `drawtext=fontfile=${nowPlaying.fontFile}`,
    `textfile=${nowPlaying.file}`,
    'reload=1',
    'expansion=none',
    'fontcolor=white',
    `fontsize=${size}`,
    'x=(w-text_w)/2',
    `y=${Math.round(height * 0.03 + size / 2)}`,
    'box=1',
    'boxcolor=black@0.55',
    `boxborderw=${Math.round(size / 3)}`,
  ].join(':');
}

function videoCodecArgs(encoder: EncoderChoice, profile: ProgramProfile, gop: number): string[] {
  const rate = [
    '-b:v', `${profile.videoBitrateKbps}k`,
    '-maxrate', `${profile.videoBitrateKbps}k`,
    '-bufsize', `${profile.videoBitrateKbps * 2}k`,
  ];
  // Fixed GOP, no scene-cut keyframes: platforms want a keyframe exactly every N seconds.
  const gopArgs = ['-g', String(gop), '-keyint_min', String(gop)];
  switch (encoder.kind) {
    case 'libx264':
      return ['-c:v', 'libx264', '-preset', profile.x264Preset, '-profile:v', 'high', '-pix_fmt', 'yuv420p', ...rate, ...gopArgs, '-sc_threshold', '0'];
    case 'nvenc':
      return ['-c:v', 'h264_nvenc', '-preset', 'p4', '-tune', 'll', '-profile:v', 'high', '-rc', 'cbr', ...rate, ...gopArgs, '-forced-idr', '1', '-no-scenecut', '1'];
    case 'vaapi':
      return ['-c:v', 'h264_vaapi', '-profile:v', 'high', '-rc_mode', 'CBR', ...rate, ...gopArgs];
    case 'qsv':
      return ['-c:v', 'h264_qsv', '-preset', 'veryfast', '-profile:v', 'high', ...rate, ...gopArgs];
  }
}
