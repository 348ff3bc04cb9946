import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNvidiaSmi } from './nvidia-smi.js';
import { busyPercent, parseMeminfo, parseProcStat } from './proc-stat.js';

const STAT_BEFORE = `cpu  24391 50 5237 660339 749 0 579 138 0 0
cpu0 11269 18 2361 331266 112 0 270 70 0 0
cpu1 13122 32 2875 329073 636 0 308 68 0 0
intr 1427106 0 0 0
ctxt 2762521
btime 1764700000
`;
// One second later: cpu0 60 busy ticks of 100; cpu1 mostly idle (95 idle, 10 iowait, 6 busy).
const STAT_AFTER = `cpu  24426 50 5257 660474 759 0 589 138 0 0
cpu0 11299 18 2381 331306 112 0 280 70 0 0
cpu1 13127 32 2876 329168 646 0 308 68 0 0
intr 1427206 0 0 0
`;

describe('/proc/stat', () => {
  it('gives each core\'s busy share between two readings, iowait counted as idle', () => {
    const before = parseProcStat(STAT_BEFORE)!;
    const after = parseProcStat(STAT_AFTER)!;
    assert.equal(before.cores.length, 2);
    assert.equal(busyPercent(before.cores[0]!, after.cores[0]!), 60);
    // cpu1: 5 user + 1 system busy of 5 + 1 + 95 idle + 10 iowait = 111 ticks
    assert.equal(busyPercent(before.cores[1]!, after.cores[1]!), 5.4);
    // all: 35 + 20 + 10 busy of 35 + 20 + 135 + 10 + 10 = 210 ticks
    assert.equal(busyPercent(before.all, after.all), 31);
  });

  it('says nothing when no time passed or the text is not /proc/stat', () => {
    const reading = parseProcStat(STAT_BEFORE)!;
    assert.equal(busyPercent(reading.all, reading.all), null);
    assert.equal(parseProcStat('intr 1 2 3\n'), null);
  });
});

describe('/proc/meminfo', () => {
  it('reads total and available memory in bytes', () => {
    const text = 'MemTotal:       24683664 kB\nMemFree:        20000000 kB\nMemAvailable:   23900396 kB\nBuffers:          100 kB\n';
    assert.deepEqual(parseMeminfo(text), { totalBytes: 24683664 * 1024, availableBytes: 23900396 * 1024 });
    assert.equal(parseMeminfo('MemTotal: 1 kB\n'), null);
  });
});

describe('nvidia-smi', () => {
  it('reads one GPU, memory from MiB to bytes', () => {
    assert.deepEqual(parseNvidiaSmi('NVIDIA GeForce RTX 3060, 37, 12, 1024, 12288\n'), {
      name: 'NVIDIA GeForce RTX 3060',
      utilizationPercent: 37,
      encoderPercent: 12,
      memoryUsedBytes: 1024 * 1024 * 1024,
      memoryTotalBytes: 12288 * 1024 * 1024,
    });
  });

  it('reports several GPUs as one: utilisation averaged, memory added, the name counted', () => {
    assert.deepEqual(parseNvidiaSmi('NVIDIA L4, 20, 10, 100, 23034\nNVIDIA L4, 40, 30, 300, 23034\n'), {
      name: '2 × NVIDIA L4',
      utilizationPercent: 30,
      encoderPercent: 20,
      memoryUsedBytes: 400 * 1024 * 1024,
      memoryTotalBytes: 46068 * 1024 * 1024,
    });
    assert.equal(parseNvidiaSmi('Tesla T4, 5, 0, 1, 15360\nNVIDIA A2, 7, 0, 1, 15356\n')?.name, 'Tesla T4, NVIDIA A2');
  });

  it('has no encoder figure where the driver has none, and no GPU when nothing could be read', () => {
    assert.equal(parseNvidiaSmi('Quadro P400, 3, [N/A], 50, 2048')?.encoderPercent, null);
    assert.equal(parseNvidiaSmi('NVIDIA T400, [Not Supported], [Not Supported], 50, 2048'), null);
    assert.equal(parseNvidiaSmi(''), null);
    assert.equal(parseNvidiaSmi('NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver.'), null);
  });
});
