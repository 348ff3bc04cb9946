/**
 * Beats and tempo from the program's sound, for the automated VJ: an onset envelope (how much the
 * spectrum rises, 100 times a second), the tempo from its autocorrelation, the beats' phase from a
 * comb over it. Pure arithmetic on samples with their stream time (sample n is at n ÷ rate seconds):
 * no clock, no I/O, so that what it finds can be checked against a signal of known tempo.
 */

/** The sound the tracker reads: mono, float, this rate (the encoder resamples for it). */
export const ANALYSIS_RATE = 12_000;
/** 10 ms between envelope values: the beat's time is known to a third of a 30 fps frame. */
const HOP = 120;
const FFT_SIZE = 512;
export const ENVELOPE_RATE = ANALYSIS_RATE / HOP;
/** The envelope the tempo is read from: long enough for 16 beats at 80 BPM, short enough to follow a mix. */
const WINDOW_SECONDS = 12;
/** Tempo is looked for between these; the prior below prefers the middle of dance music. */
const MIN_BPM = 70;
const MAX_BPM = 190;
const PRIOR_BPM = 125;
/**
 * Where a rise in the envelope is, relative to the centre of its analysis window: the flux of a
 * Hann-windowed spectrum peaks a little before the attack reaches the window's centre. Measured on
 * clicks of known times (beat-tracker.spec.ts).
 */
const ONSET_LAG_SECONDS = -0.009;
/** The bass band, where a kick is: bins of ANALYSIS_RATE ÷ FFT_SIZE (23 Hz) up to about 190 Hz. */
const LOW_BAND_BINS = 8;
/** The bass's envelope repeats this much at the beat period: it carries the beat's phase. */
const LOW_BAND_STRENGTH = 0.2;

export interface TempoEstimate {
  /** Seconds between beats. */
  period: number;
  /** The stream time of one beat (the most recent one the window holds). */
  beat: number;
  /** 0..1: how much of the envelope's energy repeats at the beat period (clicks ≈ 0.5+, noise < 0.1). */
  strength: number;
}

export class BeatTracker {
  /** Envelope values of the last WINDOW_SECONDS, oldest first; `firstFrame` is the index of values[0]. */
  private envelope: number[] = [];
  /** The same, of the bass alone (below LOW_BAND_HZ): where the kicks are. */
  private lowEnvelope: number[] = [];
  private firstFrame = 0;
  /** Samples not yet making up a full hop. */
  private pending = new Float32Array(0);
  /** The last FFT_SIZE samples, the window of the next frame. */
  private readonly window = new Float32Array(FFT_SIZE);
  private samplesSeen = 0;
  private previousSpectrum: Float32Array | null = null;
  private readonly fft = new RealFft(FFT_SIZE);
  private readonly hann = Float32Array.from({ length: FFT_SIZE }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / FFT_SIZE));

  /** Stream time of the newest sample read. */
  get now(): number {
    return this.samplesSeen / ANALYSIS_RATE;
  }

  /** Seconds of envelope held for analysis. */
  get heldSeconds(): number {
    return this.envelope.length / ENVELOPE_RATE;
  }

  push(samples: Float32Array): void {
    const joined = new Float32Array(this.pending.length + samples.length);
    joined.set(this.pending);
    joined.set(samples, this.pending.length);
    this.samplesSeen += samples.length;
    let at = 0;
    for (; at + HOP <= joined.length; at += HOP) {
      this.window.copyWithin(0, HOP);
      this.window.set(joined.subarray(at, at + HOP), FFT_SIZE - HOP);
      this.addFrame();
    }
    this.pending = joined.slice(at);
  }

  /** The tempo and beat phase the window holds, or null before there is enough of it. */
  estimate(): TempoEstimate | null {
    const values = this.envelope;
    if (values.length < ENVELOPE_RATE * 6) return null;
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const e = values.map((value) => value - mean);
    const energy = autocorrelation(e, 0);
    if (energy <= 0) return null;

    // The beat's lag: the autocorrelation at the lag and half of it at twice the lag (a beat repeats
    // two beats on), weighted towards PRIOR_BPM (an octave away counts 60 % as much).
    const minLag = Math.floor((60 * ENVELOPE_RATE) / MAX_BPM);
    const maxLag = Math.ceil((60 * ENVELOPE_RATE) / MIN_BPM);
    let bestLag = 0;
    let bestScore = -Infinity;
    for (let lag = minLag; lag <= maxLag; lag++) {
      const bpm = (60 * ENVELOPE_RATE) / lag;
      const prior = Math.exp(-0.5 * (Math.log2(bpm / PRIOR_BPM) / 1) ** 2);
      const score = (autocorrelation(e, lag) + 0.5 * autocorrelation(e, 2 * lag)) * prior;
      if (score > bestScore) {
        bestScore = score;
        bestLag = lag;
      }
    }
    const strength = Math.max(0, autocorrelation(e, bestLag) / energy);

    // The period to a fraction of a frame: the peaks at 1..8 beats, fitted through the origin.
    let sumMLag = 0;
    let sumMM = 0;
    for (let multiple = 1; multiple * bestLag < e.length / 2; multiple++) {
      const peak = refinedPeak((lag) => autocorrelation(e, lag), Math.round(multiple * (sumMM > 0 ? sumMLag / sumMM : bestLag)), 2);
      sumMLag += multiple * peak;
      sumMM += multiple * multiple;
      if (multiple === 8) break;
    }
    const periodFrames = sumMLag / sumMM;

    // The phase: where a comb of that period over the window collects the most onset. Of the bass
    // when it beats at that period (a kick on the beat, a hi-hat between: the whole spectrum's flux
    // is mostly hi-hat), else of the whole.
    const lowMean = this.lowEnvelope.reduce((sum, value) => sum + value, 0) / this.lowEnvelope.length;
    const low = this.lowEnvelope.map((value) => value - lowMean);
    const lowEnergy = autocorrelation(low, 0);
    const lowBeats = lowEnergy > 0 && autocorrelation(low, Math.round(periodFrames)) / lowEnergy >= LOW_BAND_STRENGTH;
    const onsets = lowBeats ? low : e;
    const comb = (phase: number) => {
      let sum = 0;
      for (let at = phase; at < onsets.length - 1; at += periodFrames) sum += interpolate(onsets, at);
      return sum;
    };
    let bestPhase = 0;
    let bestComb = -Infinity;
    for (let phase = 0; phase < Math.ceil(periodFrames); phase++) {
      const value = comb(phase);
      if (value > bestComb) {
        bestComb = value;
        bestPhase = phase;
      }
    }
    const phase = refinedPeak(comb, bestPhase, 1);
    const beats = Math.floor((e.length - 1 - phase) / periodFrames);
    const lastBeatFrame = this.firstFrame + phase + beats * periodFrames;
    return { period: periodFrames / ENVELOPE_RATE, beat: this.frameTime(lastBeatFrame), strength };
  }

  /** Stream time of envelope frame `frame` (fractional): the centre of its window, less the onset lag. */
  private frameTime(frame: number): number {
    return ((frame + 1) * HOP - FFT_SIZE / 2) / ANALYSIS_RATE - ONSET_LAG_SECONDS;
  }

  private addFrame(): void {
    const frame = new Float32Array(FFT_SIZE);
    for (let n = 0; n < FFT_SIZE; n++) frame[n] = this.window[n]! * this.hann[n]!;
    const spectrum = this.fft.magnitudes(frame);
    // Log-compressed, so that a quiet hi-hat counts beside a loud kick.
    for (let k = 0; k < spectrum.length; k++) spectrum[k] = Math.log1p(1000 * spectrum[k]!);
    let flux = 0;
    let lowFlux = 0;
    if (this.previousSpectrum) {
      for (let k = 1; k < spectrum.length; k++) {
        const rise = Math.max(0, spectrum[k]! - this.previousSpectrum[k]!);
        flux += rise;
        if (k <= LOW_BAND_BINS) lowFlux += rise;
      }
    }
    this.previousSpectrum = spectrum;
    this.envelope.push(flux);
    this.lowEnvelope.push(lowFlux);
    const excess = this.envelope.length - WINDOW_SECONDS * ENVELOPE_RATE;
    if (excess > 0) {
      this.envelope.splice(0, excess);
      this.lowEnvelope.splice(0, excess);
      this.firstFrame += excess;
    }
  }
}

function autocorrelation(values: readonly number[], lag: number): number {
  let sum = 0;
  const count = values.length - lag;
  if (count <= 0) return 0;
  for (let n = 0; n < count; n++) sum += values[n]! * values[n + lag]!;
  return sum / count;
}

/** The maximum of f over the integers within `reach` of `around`, refined by a parabola through its neighbours. */
function refinedPeak(f: (x: number) => number, around: number, reach: number): number {
  let best = around;
  let bestValue = f(around);
  for (let x = around - reach; x <= around + reach; x++) {
    const value = f(x);
    if (value > bestValue) {
      bestValue = value;
      best = x;
    }
  }
  const left = f(best - 1);
  const right = f(best + 1);
  const curve = left - 2 * bestValue + right;
  if (curve >= 0) return best;
  const shift = (0.5 * (left - right)) / curve;
  return best + Math.max(-0.5, Math.min(0.5, shift));
}

function interpolate(values: readonly number[], at: number): number {
  const low = Math.floor(at);
  const fraction = at - low;
  const a = values[low] ?? 0;
  const b = values[low + 1] ?? 0;
  return a + (b - a) * fraction;
}

/** A radix-2 FFT of a real frame, giving the magnitudes of bins 0..size/2-1. */
class RealFft {
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly reversed: Uint32Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(private readonly size: number) {
    const bits = Math.log2(size);
    if (!Number.isInteger(bits)) throw new Error(`FFT size ${size} is not a power of two`);
    this.cos = Float64Array.from({ length: size / 2 }, (_, k) => Math.cos((2 * Math.PI * k) / size));
    this.sin = Float64Array.from({ length: size / 2 }, (_, k) => -Math.sin((2 * Math.PI * k) / size));
    this.reversed = Uint32Array.from({ length: size }, (_, n) => {
      let reversed = 0;
      for (let bit = 0; bit < bits; bit++) reversed |= ((n >> bit) & 1) << (bits - 1 - bit);
      return reversed;
    });
    this.re = new Float64Array(size);
    this.im = new Float64Array(size);
  }

  magnitudes(frame: Float32Array): Float32Array {
    const { size, re, im } = this;
    for (let n = 0; n < size; n++) {
      re[this.reversed[n]!] = frame[n]!;
      im[this.reversed[n]!] = 0;
    }
    for (let span = 2; span <= size; span *= 2) {
      const half = span / 2;
      const step = size / span;
      for (let start = 0; start < size; start += span) {
        for (let k = 0; k < half; k++) {
          const c = this.cos[k * step]!;
          const s = this.sin[k * step]!;
          const a = start + k;
          const b = a + half;
          const tr = re[b]! * c - im[b]! * s;
          const ti = re[b]! * s + im[b]! * c;
          re[b] = re[a]! - tr;
          im[b] = im[a]! - ti;
          re[a] = re[a]! + tr;
          im[a] = im[a]! + ti;
        }
      }
    }
    const out = new Float32Array(size / 2);
    for (let k = 0; k < size / 2; k++) out[k] = Math.hypot(re[k]!, im[k]!) / size;
    return out;
  }
}
