import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter } from './line-splitter.js';

function collect(): { lines: string[]; splitter: LineSplitter } {
  const lines: string[] = [];
  return { lines, splitter: new LineSplitter((line) => lines.push(line)) };
}

describe('LineSplitter', () => {
  it('emits every complete line of a chunk, in order', () => {
    const { lines, splitter } = collect();
    splitter.push('one\ntwo\nthree\n');
    assert.deepEqual(lines, ['one', 'two', 'three']);
  });

  it('holds a line split across chunks until its end arrives', () => {
    const { lines, splitter } = collect();
    splitter.push('Input #0, flv, fr');
    assert.deepEqual(lines, []);
    splitter.push('om ');
    assert.deepEqual(lines, []);
    splitter.push("'rtmp://127.0.0.1/live/dj'\nStream ");
    assert.deepEqual(lines, ["Input #0, flv, from 'rtmp://127.0.0.1/live/dj'"]);
    splitter.push('mapping:\n');
    assert.deepEqual(lines, ["Input #0, flv, from 'rtmp://127.0.0.1/live/dj'", 'Stream mapping:']);
  });

  it('treats \\r\\n, \\n and a lone \\r (ffmpeg status lines) as line ends', () => {
    const { lines, splitter } = collect();
    splitter.push('windows\r\nunix\nframe=  1\rframe=  2\r');
    assert.deepEqual(lines, ['windows', 'unix', 'frame=  1', 'frame=  2']);
  });

  it('keeps empty lines between consecutive line ends', () => {
    const { lines, splitter } = collect();
    splitter.push('a\n\nb\r\n\r\nc\n');
    assert.deepEqual(lines, ['a', '', 'b', '', 'c']);
  });

  it('does not invent an empty line when \\r\\n is split across two chunks', () => {
    const { lines, splitter } = collect();
    splitter.push('first\r');
    splitter.push('\nsecond\r\n');
    assert.deepEqual(lines, ['first', 'second']);
  });

  it('emits a partial last line on flush, once', () => {
    const { lines, splitter } = collect();
    splitter.push('complete\npartial');
    assert.deepEqual(lines, ['complete']);
    splitter.flush();
    assert.deepEqual(lines, ['complete', 'partial']);
    splitter.flush();
    assert.deepEqual(lines, ['complete', 'partial']);
  });

  it('emits nothing on flush when the output ended with a line end', () => {
    const { lines, splitter } = collect();
    splitter.push('done\n');
    splitter.flush();
    assert.deepEqual(lines, ['done']);
  });

  it('starts fresh after a flush', () => {
    const { lines, splitter } = collect();
    splitter.push('old');
    splitter.flush();
    splitter.push('new\n');
    assert.deepEqual(lines, ['old', 'new']);
  });
});
