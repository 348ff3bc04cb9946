import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { metricProblems, type MetricShape } from './metric-rules.js';

const ok = (metric: MetricShape) => assert.deepEqual(metricProblems(metric), [], metric.name);
const refused = (metric: MetricShape, reason: RegExp) => {
  const problems = metricProblems(metric);
  assert.ok(problems.some((problem) => reason.test(problem)), `${metric.name}: expected a problem like ${reason}, got ${JSON.stringify(problems)}`);
};

describe('metric naming rules', () => {
  it('accepts base units, _total counters and bounded labels', () => {
    ok({ name: 'streamcaster_http_request_duration_seconds', type: 'histogram', labelNames: ['method', 'route', 'status_class'] });
    ok({ name: 'streamcaster_relay_sent_bytes_total', type: 'counter', labelNames: [] });
    ok({ name: 'streamcaster_encoder_speed_ratio', type: 'gauge', labelNames: [] });
    ok({ name: 'streamcaster_queue_jobs', type: 'gauge', labelNames: ['queue', 'state'] });
  });

  it('wants _total on counters and only there', () => {
    refused({ name: 'streamcaster_relay_reconnects', type: 'counter', labelNames: [] }, /counter without the _total suffix/);
    refused({ name: 'streamcaster_relays_total', type: 'gauge', labelNames: [] }, /gauge but ends with _total/);
  });

  it('refuses units that are not base units, and durations or sizes without theirs', () => {
    refused({ name: 'streamcaster_bus_request_duration_ms', type: 'histogram', labelNames: [] }, /not a base unit/);
    refused({ name: 'streamcaster_relay_bitrate_kbps', type: 'gauge', labelNames: [] }, /not a base unit/);
    refused({ name: 'streamcaster_request_duration', type: 'histogram', labelNames: [] }, /without its base unit/);
    refused({ name: 'streamcaster_broadcast_uptime', type: 'gauge', labelNames: [] }, /measures time/);
    refused({ name: 'streamcaster_recording_size', type: 'gauge', labelNames: [] }, /measures a size/);
  });

  it('refuses id-like and unknown labels, which would make one series per broadcast', () => {
    refused({ name: 'streamcaster_relays', type: 'gauge', labelNames: ['broadcast_id'] }, /looks like an id/);
    refused({ name: 'streamcaster_relays', type: 'gauge', labelNames: ['destinationId'] }, /looks like an id/);
    refused({ name: 'streamcaster_relays', type: 'gauge', labelNames: ['url'] }, /looks like an id/);
    refused({ name: 'streamcaster_relays', type: 'gauge', labelNames: ['dj'] }, /not one of the known bounded labels/);
  });

  it('keeps every metric in the streamcaster_ namespace, in snake_case', () => {
    refused({ name: 'relays', type: 'gauge', labelNames: [] }, /streamcaster_ namespace/);
    refused({ name: 'streamcaster_liveClients', type: 'gauge', labelNames: [] }, /snake_case/);
  });
});
