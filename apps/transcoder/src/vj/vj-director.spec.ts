import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { ANALYSIS_RATE } from './beat-tracker.js';
import { VjDirector, type VjEvent } from './vj-director.js';
import { vjLooks } from './vj-picture.js';

/** Kicks at `bpm` from 0.25 s, as the encoder's second output sends them: mono f32 at 12 kHz. */
function kicks(bpm: number, seconds: number): Buffer {
  const period = 60 / bpm;
  const samples = new Float32Array(seconds * ANALYSIS_RATE);
  for (let n = 0; n < samples.length; n++) {
    const since = n / ANALYSIS_RATE - 0.25;
    if (since < 0) continue;
    const inBeat = since % period;
    samples[n] = 0.8 * Math.sin(2 * Math.PI * 55 * inBeat) * Math.exp(-18 * inBeat);
  }
  return Buffer.from(samples.buffer);
}

/**
 * Sends the sound as an encoder would (in pieces that split samples), and collects what the director
 * writes to its console; `running: false`, as if no encoder ran (every write refused).
 */
async function direct(sound: Buffer, { scene = 'spectrum', running = true }: { scene?: 'spectrum' | 'scope'; running?: boolean } = {}) {
  const written: string[] = [];
  const events: VjEvent[] = [];
  const director = new VjDirector({
    scene: () => scene,
    looks: vjLooks('rainbow'),
    beatsPerPhrase: 16,
    send: (text) => running && written.push(text) > 0,
    onEvent: (event) => events.push(event),
  });
  const url = new URL(await director.listen());
  const socket = connect(Number(url.port), url.hostname);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  // A little at a time (100 ms of sound, split mid-sample), as ffmpeg flushes it: the director sees the stream time advance.
  for (let at = 0; at < sound.length; at += 4_801) {
    socket.write(sound.subarray(at, at + 4_801));
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await new Promise<void>((resolve) => socket.end(() => resolve()));
  // The director reads what the socket delivered.
  await new Promise((resolve) => setTimeout(resolve, 200));
  await director.close();
  return { lines: written.join('').split('\n').filter(Boolean), events, director };
}

describe("the VJ director, driven by the encoder's sound", () => {
  it('writes console commands: the accent once it has the beat, then each look for the stream time of a phrase start', async () => {
    const { lines, events } = await direct(kicks(128, 40));
    const period = 60 / 128;
    const accent = lines.find((line) => line.startsWith('Chue@vjbeat -1 b '));
    assert.ok(accent, lines.join('\n'));
    assert.match(accent, /^Chue@vjbeat -1 b 0\.9\*exp\(-10\*mod\(t-[\d.]+,0\.46\d+\)\)\*gte\(t,[\d.]+\)$/);
    const looks = events.filter((event): event is Extract<VjEvent, { kind: 'look' }> => event.kind === 'look' && event.beat !== null);
    assert.ok(looks.length >= 2, JSON.stringify(events));
    for (const look of looks) {
      // On a kick (the first at 0.25 s), to 10 ms; 16 beats apart; queued 1 to 2 s ahead.
      const beats = (look.at - 0.25) / period;
      assert.ok(Math.abs(beats - Math.round(beats)) * period < 0.01, `look at ${look.at}`);
      assert.ok(look.at - look.queuedAt >= 1 - 1e-9 && look.at - look.queuedAt <= 2 + 1e-9, `queued ${look.at - look.queuedAt} s ahead`);
      const time = look.at.toFixed(4);
      assert.deepEqual(
        lines.filter((line) => line.includes(` ${time} `)).map((line) => line.split(' ').slice(0, 3).join(' ')),
        [`Ccolorcorrect@vjcolour ${time} rh`, `Ccolorcorrect@vjcolour ${time} bh`, `Ccolorcorrect@vjcolour ${time} saturation`],
      );
    }
    for (let at = 1; at < looks.length; at++) assert.ok(Math.abs(looks[at]!.at - looks[at - 1]!.at - 16 * period) < 0.01);
    // The looks go round the palette from the second (the encoder started on the first).
    assert.deepEqual(events.filter((event) => event.kind === 'look').map((event) => (event as { look: number }).look).slice(0, 3), [1, 2, 3]);
  });

  it("sends the scope's shape with its looks", async () => {
    const { lines } = await direct(kicks(128, 24), { scene: 'scope' });
    assert.ok(lines.some((line) => /^Cavectorscope@vjscope [\d.]+ mode (lissajous|lissajous_xy|polar)$/.test(line)), lines.join('\n'));
  });

  it('without a beat, changes the look every phrase of 120 BPM (8 s for 16 beats), and sends no accent', async () => {
    const silence = Buffer.from(new Float32Array(20 * ANALYSIS_RATE).buffer);
    const { lines, events } = await direct(silence);
    const looks = events.filter((event): event is Extract<VjEvent, { kind: 'look' }> => event.kind === 'look');
    assert.deepEqual(looks.map((look) => look.beat), [null, null]);
    assert.ok(Math.abs(looks[1]!.at - looks[0]!.at - 8) < 0.05, JSON.stringify(looks));
    assert.ok(!lines.some((line) => line.startsWith('Chue@vjbeat')));
  });

  it('a look that could not be sent (no encoder running) is not taken: the turn of looks waits for one that is', async () => {
    const { events, director } = await direct(Buffer.from(new Float32Array(12 * ANALYSIS_RATE).buffer), { running: false });
    assert.deepEqual(events, []);
    assert.deepEqual(director.currentLook(), vjLooks('rainbow')[0]);
  });

  it('closes cleanly even while it is starting to listen', async () => {
    const director = new VjDirector({ scene: () => 'spectrum', looks: vjLooks('rainbow'), beatsPerPhrase: 16, send: () => true });
    const listening = director.listen();
    await director.close();
    await assert.rejects(listening, /the VJ director was closed/);
  });
});
