/**
 * A bitrate sparkline: an inline SVG polyline (no chart library for 60 points on every card).
 * The figure beside it carries the value; the line only shows the trend, so it is an image with a name.
 */
export function sparklinePoints(values: readonly number[], width: number, height: number): string {
  if (values.length === 0) return '';
  const max = Math.max(...values, 1);
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  return values
    .map((value, index) => `${(index * step).toFixed(1)},${(height - (Math.max(0, value) / max) * (height - 2) - 1).toFixed(1)}`)
    .join(' ');
}

export function Sparkline({ values, label, color = 'currentColor' }: { values: readonly number[]; label: string; color?: string }) {
  const width = 120;
  const height = 28;
  return (
    <svg role="img" aria-label={label} width={width} height={height} viewBox={`0 0 ${width} ${height}`} style={{ display: 'block' }}>
      <polyline points={sparklinePoints(values, width, height)} fill="none" stroke={color} strokeWidth={1.5} strokeLinejoin="round" />
    </svg>
  );
}
