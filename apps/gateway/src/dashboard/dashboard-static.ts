import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { existsSync } from 'node:fs';
import { extname, resolve } from 'node:path';

/** Vite names what it puts under assets/ after the content's hash: a name never changes its bytes. */
const ASSETS_PREFIX = '/assets/';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current assets: always asked again, so a new build is picked up at once. */
const REVALIDATE = 'no-cache';

/** The types of what the build writes a `.gz` twin of (tools/build.mjs). */
const PRECOMPRESSED_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

const isApi = (path: string) => path === '/api' || path.startsWith('/api/');

interface HttpError extends Error {
  status?: number;
  statusCode?: number;
}

/**
 * The built dashboard (a single-page app) at `/`, public like any web page (it signs in through the
 * API): its files as they are, and `index.html` for every other GET outside `/api`, so that a client
 * route (`/djs`, `/history?dj=…`) survives a reload or a bookmark. `/api` stays the API's, unknown
 * routes there included (JSON 404). A missing folder serves nothing: every path is then 404.
 */
export function dashboardHandlers(folder: string): RequestHandler[] {
  const root = resolve(folder);
  const files = express.static(root, {
    index: ['index.html'],
    // `/assets` without its slash is not a file of the app: no redirect, the fallback answers.
    redirect: false,
    cacheControl: false,
    setHeaders: (response, path) => response.setHeader('Cache-Control', path.startsWith(resolve(root, 'assets') + '/') ? IMMUTABLE : REVALIDATE),
  });
  // A hashed asset the build also wrote gzipped (a third of the bytes on the wire), for a browser that
  // accepts gzip. The `.gz` names are checked against the folder itself, never built from the request
  // alone: an asset name is a plain file name under assets/.
  const serveGzipped: RequestHandler = (request, response, next) => {
    const name = request.path.slice(ASSETS_PREFIX.length);
    const type = PRECOMPRESSED_TYPES[extname(name)];
    if (!request.path.startsWith(ASSETS_PREFIX) || !type || !/^[\w.-]+$/.test(name) || !request.acceptsEncodings('gzip')) return next();
    const gzipped = resolve(root, 'assets', `${name}.gz`);
    if (!existsSync(gzipped)) return next();
    response.sendFile(gzipped, { headers: { 'Content-Type': type, 'Content-Encoding': 'gzip', Vary: 'Accept-Encoding', 'Cache-Control': IMMUTABLE } }, (error?: HttpError) => {
      if (!error || response.headersSent) return;
      for (const header of response.getHeaderNames()) response.removeHeader(header);
      next();
    });
  };
  const serveFile: RequestHandler = (request, response, next) => {
    if (isApi(request.path)) return next();
    files(request, response, (error?: unknown) => (error ? refuse(response, error as HttpError) : next()));
  };
  const fallBack: RequestHandler = (request: Request, response: Response, next: NextFunction) => {
    // A hashed asset that is not there (an old build's) must not come back as HTML.
    if ((request.method !== 'GET' && request.method !== 'HEAD') || isApi(request.path) || request.path.startsWith(ASSETS_PREFIX)) return next();
    response.sendFile('index.html', { root, headers: { 'Cache-Control': REVALIDATE, 'Content-Type': 'text/html; charset=utf-8' } }, (error?: HttpError) => {
      if (!error || response.headersSent) return;
      // No build in the folder: the path is simply not found.
      for (const name of response.getHeaderNames()) response.removeHeader(name);
      next();
    });
  };
  return [serveGzipped, serveFile, fallBack];
}

/** What send refused (a path leaving the folder, a malformed one): the API's error shape, no page. */
function refuse(response: Response, error: HttpError): void {
  const status = error.status ?? error.statusCode ?? 500;
  response.status(status).json({ statusCode: status, message: status === 500 ? 'the dashboard file could not be read' : error.message });
}
