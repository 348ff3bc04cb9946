import { Paper, SimpleGrid, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { platformSchema, PLATFORM_RULES } from '@streamcaster/contracts';
import { viewerPlatforms, type SeriesPoint } from './stats-series';

// Loaded on demand (React.lazy): uPlot stays out of the first load.

const PALETTE = ['#4dabf7', '#69db7c', '#ffa94d', '#f783ac', '#b197fc', '#ffd43b', '#3bc9db', '#ff8787'];

interface ChartSpec {
  title: string;
  series: { label: string; values: (number | null)[]; scale?: string }[];
  scales?: uPlot.Scales;
  axes?: uPlot.Axis[];
}

function UPlotChart({ spec, times }: { spec: ChartSpec; times: number[] }) {
  const holder = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const shape = spec.series.map((series) => `${series.label}:${series.scale ?? 'y'}`).join('|');

  useEffect(() => {
    const element = holder.current;
    if (!element) return undefined;
    const axisStyle = { stroke: '#adb5bd', grid: { stroke: 'rgba(255,255,255,0.07)' }, ticks: { stroke: 'rgba(255,255,255,0.1)' } };
    const plot = new uPlot(
      {
        width: Math.max(200, element.clientWidth),
        height: 180,
        scales: { x: { time: true }, ...spec.scales },
        axes: spec.axes?.map((axis) => ({ ...axisStyle, ...axis })) ?? [axisStyle, axisStyle],
        series: [{}, ...spec.series.map((series, index) => ({ label: series.label, stroke: PALETTE[index % PALETTE.length], width: 1.5, scale: series.scale ?? 'y', spanGaps: false }))],
        legend: { show: true },
      },
      [times, ...spec.series.map((series) => series.values)] as uPlot.AlignedData,
      element,
    );
    chart.current = plot;
    const observer = new ResizeObserver(() => plot.setSize({ width: Math.max(200, element.clientWidth), height: 180 }));
    observer.observe(element);
    return () => {
      observer.disconnect();
      plot.destroy();
      chart.current = null;
    };
    // Rebuilt only when the set of series changes; new data goes through setData below.
  }, [shape]);

  useEffect(() => {
    chart.current?.setData([times, ...spec.series.map((series) => series.values)] as uPlot.AlignedData);
  });

  return (
    <Paper withBorder p="sm" component="figure" m={0} aria-label={spec.title}>
      <Text component="figcaption" size="sm" fw={600} mb={4}>
        {spec.title}
      </Text>
      <div ref={holder} />
    </Paper>
  );
}

/** Viewers in total and per platform, once any platform has reported a count. */
function viewersSpec(series: readonly SeriesPoint[]): ChartSpec | null {
  if (!series.some((point) => point.viewers !== null)) return null;
  const label = (platform: string) => {
    const known = platformSchema.safeParse(platform);
    return known.success ? PLATFORM_RULES[known.data].label : platform;
  };
  return {
    title: 'Viewers',
    series: [
      { label: 'Total', values: series.map((point) => point.viewers) },
      ...viewerPlatforms(series).map((platform) => ({ label: label(platform), values: series.map((point) => point.viewersByPlatform[platform] ?? null) })),
    ],
    scales: { y: { range: (_plot, _min, max) => [0, Math.max(10, max)] } },
  };
}

/** Bitrate per destination, encoder fps and speed, host CPU, viewers, over the whole broadcast. */
export default function BroadcastCharts({ series, destinations }: { series: readonly SeriesPoint[]; destinations: readonly { id: string; name: string }[] }) {
  const times = series.map((point) => point.t);
  const specs: ChartSpec[] = [
    {
      title: 'Bitrate per destination (kb/s)',
      series: destinations.map((destination) => ({ label: destination.name, values: series.map((point) => point.relayKbps[destination.id] ?? null) })),
    },
    {
      title: 'Encoder fps and speed',
      series: [
        { label: 'fps', values: series.map((point) => point.fps) },
        { label: 'speed (×)', values: series.map((point) => point.speed), scale: 'speed' },
      ],
      scales: { speed: { range: [0, 2] } },
      axes: [{}, { scale: 'y' }, { scale: 'speed', side: 1, grid: { show: false } }],
    },
    {
      title: 'Host CPU (%)',
      series: [{ label: 'CPU', values: series.map((point) => point.cpu) }],
      scales: { y: { range: [0, 100] } },
    },
  ];
  const viewers = viewersSpec(series);
  if (viewers) specs.push(viewers);
  return (
    <SimpleGrid cols={{ base: 1, lg: specs.length > 3 ? 2 : 3 }}>
      {specs.map((spec) => (
        <UPlotChart key={spec.title} spec={spec} times={times} />
      ))}
    </SimpleGrid>
  );
}
