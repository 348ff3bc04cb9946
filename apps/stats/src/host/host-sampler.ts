import { execFile } from 'node:child_process';
import { mkdir, readFile, statfs } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import type { HostStats } from '@streamcaster/contracts';
import { DataPaths } from '@streamcaster/service-kit';
import { StatsConfig } from '../config/stats.config.js';
import { NVIDIA_SMI_ARGS, parseNvidiaSmi, type GpuStats } from './nvidia-smi.js';
import { busyPercent, parseMeminfo, parseProcStat, type CpuTimes } from './proc-stat.js';

/**
 * The host's figures, read on demand (once a second by the snapshot leader): CPU over the time since
 * the previous reading, memory, load, the recordings volume and, where nvidia-smi runs, the GPU.
 */
@Injectable()
export class HostSampler implements OnModuleInit {
  private readonly logger = new Logger(HostSampler.name);
  private previousCpu: { all: CpuTimes; cores: CpuTimes[] } | null = null;
  /** False once nvidia-smi was found missing: a machine without a GPU does not try every second. */
  private gpuReadable = true;
  private gpu: GpuStats | null = null;
  private gpuQuery: Promise<void> | null = null;

  constructor(
    private readonly config: StatsConfig,
    private readonly paths: DataPaths,
  ) {}

  /** A first CPU reading, so that the first snapshot already has a delta to show. */
  async onModuleInit(): Promise<void> {
    this.previousCpu = await this.readCpu();
    await mkdir(this.paths.recordings, { recursive: true }).catch(() => undefined);
    this.refreshGpu();
  }

  async sample(at: Date): Promise<HostStats> {
    const [cpu, memory, recordingsDisk] = await Promise.all([this.readCpu(), this.readMemory(), this.readRecordingsDisk()]);
    const previous = this.previousCpu;
    this.previousCpu = cpu ?? previous;
    this.refreshGpu();
    const load = loadavg();
    return {
      at: at.toISOString(),
      cpuPercentPerCore: cpu && previous ? cpu.cores.map((core, index) => (previous.cores[index] ? busyPercent(previous.cores[index], core) ?? 0 : 0)) : [],
      cpuPercent: cpu && previous ? (busyPercent(previous.all, cpu.all) ?? 0) : 0,
      memory: memory ?? { totalBytes: 0, availableBytes: 0 },
      loadAverage: [load[0] ?? 0, load[1] ?? 0, load[2] ?? 0],
      recordingsDisk,
      gpu: this.gpu,
    };
  }

  private async readCpu(): Promise<{ all: CpuTimes; cores: CpuTimes[] } | null> {
    return parseProcStat(await readFile('/proc/stat', 'utf8').catch(() => ''));
  }

  private async readMemory(): Promise<{ totalBytes: number; availableBytes: number } | null> {
    return parseMeminfo(await readFile('/proc/meminfo', 'utf8').catch(() => ''));
  }

  private async readRecordingsDisk(): Promise<HostStats['recordingsDisk']> {
    try {
      const volume = await statfs(this.paths.recordings);
      return { totalBytes: volume.blocks * volume.bsize, freeBytes: volume.bavail * volume.bsize };
    } catch {
      return null;
    }
  }

  /**
   * Asks nvidia-smi in the background (it takes tens of milliseconds): a snapshot shows the last
   * answer instead of waiting for it.
   */
  private refreshGpu(): void {
    if (!this.gpuReadable || this.gpuQuery) return;
    this.gpuQuery = new Promise<void>((resolve) => {
      execFile(this.config.nvidiaSmiPath, NVIDIA_SMI_ARGS, { timeout: 2_000 }, (error, stdout) => {
        if ((error as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
          this.gpuReadable = false;
          this.logger.log(`no ${this.config.nvidiaSmiPath} on this machine: no GPU figures`);
        }
        this.gpu = error ? null : parseNvidiaSmi(stdout);
        resolve();
      });
    }).finally(() => (this.gpuQuery = null));
  }
}
