/**
 * Replaces every `${NAME}` of a config template. A placeholder without a value is an error: a
 * half-rendered nginx config would start and then behave in surprising ways.
 */
export function renderTemplate(template: string, values: Record<string, string>): string {
  const missing = new Set<string>();
  const rendered = template.replace(/\$\{([A-Z0-9_]+)\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) missing.add(name);
    return value ?? '';
  });
  if (missing.size > 0) throw new Error(`template placeholders without a value: ${[...missing].join(', ')}`);
  return rendered;
}
