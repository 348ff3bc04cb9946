/** Where a client connects to, read from a variable's value: a URL, or a bare host:port. */
export interface Address {
  host: string;
  port: number;
  scheme: string | null;
  user: string;
  password: string;
  path: string;
  query: URLSearchParams;
}

/** The port a client of each scheme uses when the URL names none. */
const SCHEME_PORTS: Record<string, number> = {
  postgres: 5432,
  postgresql: 5432,
  redis: 6379,
  rediss: 6379,
  nats: 4222,
  rtmp: 1935,
  rtmps: 443,
  http: 80,
  https: 443,
};

export function addressIn(value: string): Address | undefined {
  const bare = /^([A-Za-z0-9][A-Za-z0-9.-]*):(\d{1,5})$/.exec(value);
  if (bare) {
    return { host: bare[1] ?? '', port: Number(bare[2]), scheme: null, user: '', password: '', path: '', query: new URLSearchParams() };
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]/i.test(value)) return undefined;
  const url = URL.parse(value);
  if (!url || url.hostname === '') return undefined;
  const scheme = url.protocol.slice(0, -1);
  const port = url.port === '' ? SCHEME_PORTS[scheme] : Number(url.port);
  if (port === undefined) return undefined;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port,
    scheme,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    path: url.pathname,
    query: url.searchParams,
  };
}

/** Inside a container, loopback is the container itself: never where another service runs. */
export const isLoopback = (host: string) => /^(localhost$|127\.|::1$|::ffff:127\.)/.test(host);

/** The port of a listen value ("1935", "0.0.0.0:1935", "[::]:1935"), and its address when it has one. */
export function listenValue(value: string): { host: string | null; port: number } | undefined {
  const match = /^(?:(\[[^\]]+\]|[^:]+):)?(\d{1,5})$/.exec(value.trim());
  if (!match) return undefined;
  return { host: match[1]?.replace(/^\[|\]$/g, '') ?? null, port: Number(match[2]) };
}
