import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { RtmpSink } from '@streamcaster/testing';

/** The platforms of an end-to-end run: a, b and c (RTMPS) for the live environment, one for test. */
export type DestinationSinks = Record<'a' | 'b' | 'c' | 'test', RtmpSink>;

/**
 * Fills `sinks` (each one before any starts, so that the caller's teardown stops whatever did) and
 * starts them, all but b: it is down at the start, its ports reserved so that its destination can
 * point at it, and a test brings it up.
 */
export async function startDestinationSinks(sinks: DestinationSinks, work: string): Promise<void> {
  sinks.a = new RtmpSink('a', join(work, 'sink-a'));
  sinks.b = new RtmpSink('b', join(work, 'sink-b'));
  sinks.c = new RtmpSink('c', join(work, 'sink-c'), true);
  sinks.test = new RtmpSink('test', join(work, 'sink-test'));
  for (const sink of Object.values(sinks)) await mkdir(join(work, `sink-${sink.name}`), { recursive: true });
  await Promise.all([sinks.a.start(), sinks.c.start(), sinks.test.start(), sinks.b.reservePorts()]);
}
