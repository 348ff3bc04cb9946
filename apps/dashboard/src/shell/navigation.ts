import type { Role, SessionUser } from '@streamcaster/contracts';

export interface Page {
  path: string;
  /** The link's text: also its accessible name, which the browser tests drive. */
  label: string;
  roles: readonly Role[];
}

/** Roles shape the UI as the API does: an operator has no Users page; a DJ user no destinations or branding. */
export const PAGES: readonly Page[] = [
  { path: '/', label: 'On air', roles: ['admin', 'operator', 'dj'] },
  { path: '/djs', label: 'DJs', roles: ['admin', 'operator', 'dj'] },
  { path: '/destinations', label: 'Destinations', roles: ['admin', 'operator'] },
  { path: '/branding', label: 'Branding', roles: ['admin', 'operator'] },
  { path: '/history', label: 'History', roles: ['admin', 'operator', 'dj'] },
  { path: '/recordings', label: 'Recordings', roles: ['admin', 'operator', 'dj'] },
  { path: '/users', label: 'Users', roles: ['admin'] },
];

export function pagesFor(role: Role): Page[] {
  return PAGES.filter((page) => page.roles.includes(role));
}

export function rolesOf(path: string): readonly Role[] {
  return PAGES.find((page) => page.path === path)?.roles ?? [];
}

/** What a role may change (the API refuses the rest anyway; the UI does not offer it). */
export const can = {
  manageDjs: (role: Role) => role === 'admin',
  rotateKey: (role: Role) => role === 'admin' || role === 'dj',
  manageDestinations: (role: Role) => role === 'admin',
  connectPlatforms: (role: Role) => role === 'admin',
  editBranding: (role: Role) => role === 'admin',
  runBroadcasts: (role: Role) => role === 'admin' || role === 'operator',
  /** The track playing now: the crew, and a DJ user for its own broadcast (as the gateway allows). */
  setNowPlaying: (user: Pick<SessionUser, 'role' | 'djId'>, broadcast: { djId: string }) =>
    user.role === 'admin' || user.role === 'operator' || (user.role === 'dj' && user.djId === broadcast.djId),
};
