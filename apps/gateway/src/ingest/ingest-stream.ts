import type { Environment, IngestStream } from '@streamcaster/contracts';
import { MOUNT_PATTERN } from '../djs/dj-slug.js';
import type { IngestSessionEntity } from './ingest-session.entity.js';

/** `/live/<slug>` → its environment and the DJ's slug; null for any other path. */
export function parseMount(mount: string): { environment: Environment; slug: string } | null {
  const match = MOUNT_PATTERN.exec(mount);
  return match ? { environment: match[1] as Environment, slug: match[2]! } : null;
}

/**
 * Where the transcoder reads a session's DJ: nginx-rtmp's stream is the DJ's id (on_publish renamed it),
 * an Icecast session's is its mount (`clientId`), `/<environment>/<slug>`.
 */
export function ingestStreamOf(session: Pick<IngestSessionEntity, 'environment' | 'protocol' | 'clientId' | 'djId'>): IngestStream {
  if (session.protocol === 'icecast') {
    return { app: session.environment, streamName: parseMount(session.clientId)?.slug ?? session.clientId, protocol: 'icecast' };
  }
  return { app: session.environment, streamName: session.djId, protocol: 'rtmp' };
}
