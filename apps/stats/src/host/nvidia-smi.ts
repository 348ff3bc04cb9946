import type { HostStats } from '@streamcaster/contracts';

export type GpuStats = NonNullable<HostStats['gpu']>;

/** What is asked of nvidia-smi: one line per GPU, numbers without units (MiB for memory). */
export const NVIDIA_SMI_ARGS = ['--query-gpu=name,utilization.gpu,utilization.encoder,memory.used,memory.total', '--format=csv,noheader,nounits'];

const MIB = 1024 * 1024;

/**
 * Reads nvidia-smi's answer to NVIDIA_SMI_ARGS. Several GPUs are reported as one: utilisation
 * averaged, memory added up, the name counted ("2 × NVIDIA L4"), or listed when they differ. A figure
 * the driver cannot give reads "[N/A]" or "[Not Supported]": the encoder's then is null, and a GPU
 * without its utilisation or memory is left out. Null when no GPU could be read.
 */
export function parseNvidiaSmi(output: string): GpuStats | null {
  const gpus = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [name = '', utilization, encoder, used, total] = line.split(',').map((cell) => cell.trim());
      return { name, utilization: figure(utilization), encoder: figure(encoder), used: figure(used), total: figure(total) };
    })
    .filter((gpu) => gpu.name !== '' && gpu.utilization !== null && gpu.used !== null && gpu.total !== null);
  if (gpus.length === 0) return null;
  const names = [...new Set(gpus.map((gpu) => gpu.name))];
  const encoders = gpus.map((gpu) => gpu.encoder).filter((value) => value !== null);
  return {
    name: names.length === 1 && gpus.length > 1 ? `${gpus.length} × ${names[0]}` : names.join(', '),
    utilizationPercent: clampPercent(average(gpus.map((gpu) => gpu.utilization!))),
    encoderPercent: encoders.length === 0 ? null : clampPercent(average(encoders)),
    memoryUsedBytes: Math.round(sum(gpus.map((gpu) => gpu.used!)) * MIB),
    memoryTotalBytes: Math.round(sum(gpus.map((gpu) => gpu.total!)) * MIB),
  };
}

function figure(cell: string | undefined): number | null {
  if (cell === undefined || cell === '' || cell.startsWith('[')) return null;
  const value = Number(cell);
  return Number.isFinite(value) ? value : null;
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const average = (values: number[]) => sum(values) / values.length;
const clampPercent = (value: number) => Math.min(100, Math.max(0, Math.round(value * 10) / 10));
