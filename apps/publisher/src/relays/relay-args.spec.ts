import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildRelayArgs, redactSecret } from './relay-args.js';

const PROGRAM = 'rtmp://127.0.0.1:1935/program/broadcast-7';
const PUSH = 'rtmp://a.rtmp.youtube.com/live2/abcd-efgh-ijkl';

describe('buildRelayArgs', () => {
  const args = buildRelayArgs({ programUrl: PROGRAM, pushUrl: PUSH, ioTimeoutSeconds: 5 });

  it('copies every packet without re-encoding', () => {
    assert.equal(args[args.indexOf('-c') + 1], 'copy');
    assert.equal(args.some((arg) => arg.startsWith('-c:') || arg === '-vf' || arg === '-af' || arg === '-filter_complex'), false);
    assert.deepEqual(
      args.flatMap((arg, index) => (arg === '-map' ? [args[index + 1]] : [])),
      ['0:v?', '0:a?'],
    );
  });

  it('reads the program as the only input', () => {
    const inputs = args.flatMap((arg, index) => (arg === '-i' ? [args[index + 1]] : []));
    assert.deepEqual(inputs, [PROGRAM]);
  });

  it('sets -rw_timeout in microseconds on both the input and the output', () => {
    const input = args.indexOf('-i');
    const timeouts = args.flatMap((arg, index) => (arg === '-rw_timeout' ? [index] : []));
    assert.equal(timeouts.length, 2);
    assert.ok(timeouts[0]! < input, 'first -rw_timeout must precede -i to apply to the input');
    assert.ok(timeouts[1]! > input && timeouts[1]! < args.length - 1, 'second -rw_timeout must apply to the output');
    for (const index of timeouts) assert.equal(args[index + 1], '5000000');
  });

  it('rounds fractional timeouts to whole microseconds', () => {
    const fractional = buildRelayArgs({ programUrl: PROGRAM, pushUrl: PUSH, ioTimeoutSeconds: 2.5 });
    assert.equal(fractional[fractional.indexOf('-rw_timeout') + 1], '2500000');
    const tiny = buildRelayArgs({ programUrl: PROGRAM, pushUrl: PUSH, ioTimeoutSeconds: 0.0000014 });
    assert.equal(tiny[tiny.indexOf('-rw_timeout') + 1], '1');
  });

  it('writes FLV with no duration/size patch, and the push URL last', () => {
    assert.equal(args[args.indexOf('-f') + 1], 'flv');
    assert.equal(args[args.indexOf('-flvflags') + 1], 'no_duration_filesize');
    assert.equal(args.at(-1), PUSH);
    assert.equal(args.indexOf(PUSH), args.length - 1);
    assert.ok(args.indexOf('-f') > args.indexOf('-i'), '-f flv must be an output option');
  });

  it('reports progress on stdout and reads nothing from stdin', () => {
    assert.equal(args[args.indexOf('-progress') + 1], 'pipe:1');
    assert.ok(args.includes('-nostdin'));
  });
});

describe('redactSecret', () => {
  it('replaces every occurrence of the secret', () => {
    const text = `Error opening output ${PUSH}: I/O error; retrying ${PUSH}`;
    const redacted = redactSecret(text, 'abcd-efgh-ijkl');
    assert.equal(redacted, 'Error opening output rtmp://a.rtmp.youtube.com/live2/•••: I/O error; retrying rtmp://a.rtmp.youtube.com/live2/•••');
    assert.equal(redacted.includes('abcd-efgh-ijkl'), false);
  });

  it('treats the secret literally, not as a pattern', () => {
    assert.equal(redactSecret('key a.b+c and axb+c', 'a.b+c'), 'key ••• and axb+c');
    assert.equal(redactSecret('x$&y', '$&'), 'x•••y');
  });

  it('leaves text alone with an empty secret or no occurrence', () => {
    assert.equal(redactSecret('nothing secret here', ''), 'nothing secret here');
    assert.equal(redactSecret('nothing secret here', 'sk_live'), 'nothing secret here');
  });
});
