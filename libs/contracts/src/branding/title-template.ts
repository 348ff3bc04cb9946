import type { Environment } from '../domain.js';

/*
 * The one renderer of title and description templates: the publisher names broadcasts with it, and
 * the dashboard's branding page previews with it, so the preview cannot drift from the real title.
 */

export interface TemplateContext {
  dj: string;
  org: string;
  /** When the broadcast started; rendered in the organisation's time zone. */
  startedAt: Date;
  environment: Environment;
  timeZone: string;
}

/** Every placeholder a title or description template may use. */
export const TEMPLATE_PLACEHOLDERS = ['{dj}', '{org}', '{date}', '{time}', '{environment}'] as const;

/**
 * Renders `{dj}`, `{org}`, `{date}` (YYYY-MM-DD), `{time}` (HH:MM) and `{environment}`. `{{` and `}}`
 * stand for literal braces; an unknown placeholder is kept as written, so a typo shows in the title
 * instead of silently vanishing.
 */
export function renderTemplate(template: string, context: TemplateContext): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: context.timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(context.startedAt);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((candidate) => candidate.type === type)?.value ?? '';
  const values: Record<string, string> = {
    dj: context.dj,
    org: context.org,
    date: `${part('year')}-${part('month')}-${part('day')}`,
    time: `${part('hour')}:${part('minute')}`,
    environment: context.environment,
  };
  return template.replace(/\{\{|\}\}|\{([a-z]+)\}/g, (match, name: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    // hasOwn, not `in`: `{constructor}` must stay as written, not become Object's source text.
    return name !== undefined && Object.hasOwn(values, name) ? values[name]! : match;
  });
}
