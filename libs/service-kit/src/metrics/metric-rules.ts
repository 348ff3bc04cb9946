import type { Registry } from 'prom-client';

/**
 * Label names whose values are few and known (states, platforms, queue names, contract subjects, route
 * patterns). An id, a URL or a name as a label would make one series per broadcast or destination.
 */
export const BOUNDED_LABELS: readonly string[] = ['service', 'state', 'platform', 'queue', 'subject', 'outcome', 'method', 'route', 'status_class', 'encoder', 'environment', 'source'];

export interface MetricShape {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
  labelNames: readonly string[];
}

const NON_BASE_UNIT = /_(ms|msec|millis|milliseconds|us|microseconds|ns|nanoseconds|minutes|hours|days|kb|kib|kilobytes|mb|mib|megabytes|gb|gigabytes|kbps|kbits|bits|percent|pct)(_|$)/;
const ID_LIKE = /(^|_)(id|ids|uuid|key|url|uri|path|name|title|email|ip|address)$|[a-z]Id$/;

/** What is wrong with a metric against the naming rules of Prometheus and of this project; [] when nothing. */
export function metricProblems(metric: MetricShape): string[] {
  const problems: string[] = [];
  const { name, type } = metric;
  if (!/^streamcaster_[a-z][a-z0-9_]*[a-z0-9]$/.test(name)) problems.push('is not snake_case in the streamcaster_ namespace');
  if (type === 'counter' && !name.endsWith('_total')) problems.push('is a counter without the _total suffix');
  if (type !== 'counter' && name.endsWith('_total')) problems.push(`is a ${type} but ends with _total, which is for counters`);
  if (NON_BASE_UNIT.test(name)) problems.push('names a unit that is not a base unit (use seconds, bytes, ratio)');
  const unitless = name.replace(/_total$/, '');
  if ((type === 'histogram' || type === 'summary') && !/_(seconds|bytes)$/.test(unitless)) problems.push(`is a ${type} without its base unit (_seconds or _bytes) at the end`);
  if (/(duration|latency|time|age|uptime)/.test(unitless) && !unitless.endsWith('_seconds')) problems.push('measures time but does not end with _seconds');
  if (/(bytes|size)/.test(unitless) && !unitless.endsWith('_bytes')) problems.push('measures a size but does not end with _bytes');
  for (const label of metric.labelNames) {
    if (ID_LIKE.test(label)) problems.push(`has the label "${label}", which looks like an id, name or address (unbounded)`);
    else if (!BOUNDED_LABELS.includes(label)) problems.push(`has the label "${label}", which is not one of the known bounded labels (${BOUNDED_LABELS.join(', ')})`);
  }
  return problems;
}

const TYPES: ReadonlyArray<MetricShape['type']> = ['counter', 'gauge', 'histogram', 'summary'];

/**
 * The shape of every metric on a register. prom-client's typings say less than its objects hold: the
 * type is a string at run time ('counter'...), and the label names are there too.
 */
export function metricShapes(registry: Registry): MetricShape[] {
  return registry.getMetricsAsArray().map((metric) => {
    const { type, labelNames } = metric as unknown as { type: unknown; labelNames?: string[] };
    const known = TYPES.find((candidate) => candidate === type);
    if (!known) throw new Error(`${metric.name}: a metric of an unknown type ${String(type)}`);
    return { name: metric.name, type: known, labelNames: labelNames ?? [] };
  });
}
