import type { IncomingMessage, ServerResponse } from 'node:http';
import { Histogram } from 'prom-client';

export const httpRequestDuration = new Histogram<'method' | 'route' | 'status_class'>({
  name: 'streamcaster_http_request_duration_seconds',
  help: 'HTTP requests served, by method, route pattern (e.g. /api/broadcasts/:id; "unmatched" when no route took it) and status class',
  labelNames: ['method', 'route', 'status_class'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** What Express leaves on a request it routed: the matched route, whose path is the pattern. */
interface RoutedRequest extends IncomingMessage {
  route?: { path?: unknown };
  baseUrl?: string;
}

/**
 * Times every request until its response is done (or the client went away), labelled with the route
 * pattern rather than the URL: ids in paths would make one series per broadcast. Put in front of
 * everything, it also sees the requests that guards refuse.
 */
export function httpRequestMetrics(request: RoutedRequest, response: ServerResponse, next: () => void): void {
  const end = httpRequestDuration.startTimer();
  // Nest mounts this middleware as a route of its own: a request still on it found no route.
  const mountedAs = request.route;
  response.once('close', () => {
    end({
      method: METHODS.has(request.method ?? '') ? (request.method as string) : 'other',
      route: routePattern(request, mountedAs, response.statusCode),
      status_class: `${Math.floor(response.statusCode / 100)}xx`,
    });
  });
  next();
}

function routePattern(request: RoutedRequest, mountedAs: RoutedRequest['route'], status: number): string {
  const path = request.route === mountedAs ? undefined : request.route?.path;
  if (typeof path !== 'string') return 'unmatched';
  // Nest answers an unknown path with a 404 from a catch-all route of its own (`*path`).
  if (path.includes('*') && status === 404) return 'unmatched';
  return `${request.baseUrl ?? ''}${path}`;
}
