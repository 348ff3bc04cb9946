import type { CookieOptions, Request, Response } from 'express';

export const REFRESH_COOKIE = 'streamcaster_refresh';
/** Sent only to the auth routes (the global prefix included), never to the rest of the API. */
export const REFRESH_COOKIE_PATH = '/api/auth';

function options(request: Request): CookieOptions {
  return {
    httpOnly: true,
    sameSite: 'strict',
    path: REFRESH_COOKIE_PATH,
    // The gateway speaks plain HTTP; behind a TLS proxy the proxy says https. A forged header only
    // restricts the cookie further, so it may be believed here (unlike for addresses).
    secure: request.secure || request.get('x-forwarded-proto')?.split(',')[0]?.trim() === 'https',
  };
}

export function readRefreshCookie(request: Request): string | undefined {
  const cookies = (request as Request & { cookies?: Record<string, unknown> }).cookies;
  const value = cookies?.[REFRESH_COOKIE];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function setRefreshCookie(request: Request, response: Response, token: string, maxAgeMs: number): void {
  response.cookie(REFRESH_COOKIE, token, { ...options(request), maxAge: maxAgeMs });
}

export function clearRefreshCookie(request: Request, response: Response): void {
  response.clearCookie(REFRESH_COOKIE, options(request));
}
