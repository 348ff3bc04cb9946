import type { EncoderKind } from '@streamcaster/contracts';

/** What the program must look like, whatever encodes it. */
export interface ProgramProfile {
  width: number;
  height: number;
  fps: number;
  videoBitrateKbps: number;
  audioBitrateKbps: number;
  keyframeSeconds: number;
  x264Preset: string;
}

export interface EncoderChoice {
  kind: EncoderKind;
  /** The DRM render node, for VAAPI. */
  device?: string;
}
