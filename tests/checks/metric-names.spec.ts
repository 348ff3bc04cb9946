import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { register } from 'prom-client';
import { metricProblems, metricShapes } from '@streamcaster/service-kit';

/**
 * Every metric a service defines: service-kit's shared ones (imported above) and each app's
 * `src/metrics/*.metrics.ts`, loaded from the build onto prom-client's default register.
 */
const metricFiles = readdirSync('apps').flatMap((app) => {
  const directory = join('apps', app, 'src', 'metrics');
  return existsSync(directory) ? readdirSync(directory).filter((name) => name.endsWith('.metrics.ts')).map((name) => ({ app, name })) : [];
});

describe('metric names', () => {
  it('finds the metrics of the publisher, transcoder and recorder', () => {
    const apps = new Set(metricFiles.map((file) => file.app));
    for (const app of ['publisher', 'transcoder', 'recorder']) assert.ok(apps.has(app), `apps/${app}/src/metrics/*.metrics.ts not found`);
  });

  it('follows the naming rules: base units, _total on counters, only bounded labels', async () => {
    for (const { app, name } of metricFiles) {
      await import(new URL(`../../apps/${app}/src/metrics/${name.replace(/\.ts$/, '.js')}`, import.meta.url).href);
    }
    const shapes = metricShapes(register);
    const names = shapes.map((shape) => shape.name);
    for (const expected of [
      'streamcaster_http_request_duration_seconds',
      'streamcaster_bus_request_duration_seconds',
      'streamcaster_bus_command_duration_seconds',
      'streamcaster_queue_jobs',
      'streamcaster_outbox_pending',
      'streamcaster_broadcasts',
      'streamcaster_relays',
      'streamcaster_relay_sent_bytes_total',
      'streamcaster_relay_reconnects_total',
      'streamcaster_platform_sessions',
      'streamcaster_platform_failures_total',
      'streamcaster_encoder_fps',
      'streamcaster_encoder_speed_ratio',
      'streamcaster_encoder_dropped_frames_total',
      'streamcaster_encoder_duplicated_frames_total',
      'streamcaster_recording_written_bytes_total',
      'streamcaster_recordings_in_progress',
      'streamcaster_live_clients',
      'streamcaster_live_slow_clients_dropped_total',
    ]) {
      assert.ok(names.includes(expected), `${expected} is not defined`);
    }
    const problems = shapes.flatMap((shape) => metricProblems(shape).map((problem) => `${shape.name} ${problem}`));
    assert.deepEqual(problems, []);
  });
});
