// Compose's variable interpolation, as `docker compose` applies it to every string of the file:
// ${NAME}, $NAME, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}, ${NAME:+other},
// ${NAME+other} (defaults may hold interpolations themselves), and $$ for a literal dollar sign.

export interface Interpolation {
  name: string;
  /** null, or one of - :- ? :? + :+ */
  operator: string | null;
  /** What follows the operator: the default, the error message or the alternative. */
  argument: string;
  start: number;
  end: number;
}

/** Compose refuses to start: a required variable is unset (or empty, for :?). */
export class MissingVariableError extends Error {
  constructor(readonly variable: string, message: string) {
    super(`${variable}: ${message}`);
  }
}

/** The top-level interpolations of one value, in order. */
export function interpolationsIn(value: string): Interpolation[] {
  const found: Interpolation[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] !== '$') continue;
    if (value[i + 1] === '$') {
      i++;
    } else if (value[i + 1] === '{') {
      let depth = 1;
      let j = i + 2;
      for (; j < value.length && depth > 0; j++) {
        if (value[j] === '{') depth++;
        else if (value[j] === '}') depth--;
      }
      if (depth !== 0) throw new Error(`unclosed \${ in ${value}`);
      const body = value.slice(i + 2, j - 1);
      const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
      if (!match) throw new Error(`compose cannot read the interpolation \${${body}}`);
      found.push({ name: match[1] ?? '', operator: match[2] ?? null, argument: match[3] ?? '', start: i, end: j });
      i = j - 1;
    } else {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(value.slice(i + 1));
      if (match) {
        found.push({ name: match[0], operator: null, argument: '', start: i, end: i + 1 + match[0].length });
        i += match[0].length;
      }
    }
  }
  return found;
}

/** Every interpolation of a value, those nested in defaults too. */
export function allInterpolationsIn(value: string): Interpolation[] {
  return interpolationsIn(value).flatMap((item) => [item, ...allInterpolationsIn(item.argument)]);
}

/** The value as compose passes it on, with `variables` as the environment (deploy/.env). */
export function interpolate(value: string, variables: Readonly<Record<string, string>>): string {
  let result = '';
  let last = 0;
  for (const item of interpolationsIn(value)) {
    result += value.slice(last, item.start).replaceAll('$$', '$');
    last = item.end;
    const current = variables[item.name];
    const set = current !== undefined;
    const nonEmpty = set && current !== '';
    switch (item.operator) {
      case null:
        result += current ?? '';
        break;
      case ':-':
        result += nonEmpty ? current : interpolate(item.argument, variables);
        break;
      case '-':
        result += set ? current : interpolate(item.argument, variables);
        break;
      case ':?':
        if (!nonEmpty) throw new MissingVariableError(item.name, item.argument || 'required');
        result += current;
        break;
      case '?':
        if (!set) throw new MissingVariableError(item.name, item.argument || 'required');
        result += current;
        break;
      case ':+':
        result += nonEmpty ? interpolate(item.argument, variables) : '';
        break;
      case '+':
        result += set ? interpolate(item.argument, variables) : '';
        break;
    }
  }
  return result + value.slice(last).replaceAll('$$', '$');
}

/** Applies `interpolate` to every string inside a parsed YAML value (keys stay as written). */
export function interpolateAll(value: unknown, variables: Readonly<Record<string, string>>): unknown {
  if (typeof value === 'string') return interpolate(value, variables);
  if (Array.isArray(value)) return value.map((item) => interpolateAll(item, variables));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolateAll(item, variables)]));
  }
  return value;
}

/** Every string inside a parsed YAML value. */
export function allStrings(value: unknown, into: string[] = []): string[] {
  if (typeof value === 'string') into.push(value);
  else if (Array.isArray(value)) value.forEach((item) => allStrings(item, into));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((item) => allStrings(item, into));
  return into;
}
