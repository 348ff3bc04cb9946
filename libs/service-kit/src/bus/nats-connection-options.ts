/**
 * What every NATS connection of StreamCaster is opened with (the bus client, the bus server, JetStream):
 * the server of NATS_URL, and the user and password that URL carries. NATS's own client does not read
 * credentials out of a server URL, so they are taken out here and passed as `user` / `pass`.
 */
export interface NatsConnectionOptions {
  servers: string[];
  /** Shown by the server (connz) and in its logs: which service holds the connection. */
  name: string;
  user?: string;
  pass?: string;
}

export function natsConnectionOptions(source: { readonly natsUrl: string }, name: string): NatsConnectionOptions {
  const url = new URL(source.natsUrl);
  const user = decodeURIComponent(url.username);
  const pass = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return {
    servers: [url.toString().replace(/\/$/, '')],
    name,
    ...(user ? { user } : {}),
    ...(pass ? { pass } : {}),
  };
}
