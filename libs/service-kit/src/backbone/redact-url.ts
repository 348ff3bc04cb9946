/**
 * A backbone URL as it may be printed: the password replaced by "***", so that a message naming the
 * server it could not reach never carries the secret (REDIS_URL, NATS_URL and DATABASE_URL hold one).
 */
export function redactUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return '(not a URL)';
  }
  if (url.password) url.password = '***';
  return url.toString().replace(/\/$/, '');
}
