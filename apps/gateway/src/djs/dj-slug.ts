/** Longest slug: a mount name stays readable in Traktor's settings. */
const MAX_SLUG = 40;

/**
 * The DJ's name as a mount name: `DJ Ünal & Friends` → `dj-unal-friends`. Lower-case ASCII letters,
 * digits and single dashes only, so it is a safe URL path segment and matches Icecast's `/live/*`
 * pattern (which excludes `/`). A name with nothing usable in it becomes `dj`.
 */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_SLUG)
    .replace(/-+$/, '');
  return slug || 'dj';
}

/** `base`, or `base-2`, `base-3`... : the first that `taken` does not hold. */
export function uniqueSlug(base: string, taken: ReadonlySet<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) {
    const candidate = `${base.slice(0, MAX_SLUG - String(n).length - 1)}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** A mount path of Icecast's: `/live/<slug>` or `/test/<slug>`, nothing else. */
export const MOUNT_PATTERN = /^\/(live|test)\/([a-z0-9]+(?:-[a-z0-9]+)*)$/;
