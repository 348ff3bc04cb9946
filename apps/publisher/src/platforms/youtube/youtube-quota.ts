/**
 * YouTube Data API units per method (developers.google.com/youtube/v3/determine_quota_cost): every
 * request costs, failed ones too. The live methods' rows could not be confirmed from the stored page
 * (docs/platform-contracts.md §4); these are the published values, kept in one table.
 */
// Kept apart from the YouTube fake's YOUTUBE_QUOTA_COSTS on purpose: the fake must not share the product's belief about YouTube.
export const YOUTUBE_UNIT_COSTS = {
  'channels.list': 1,
  'videos.list': 1,
  'liveBroadcasts.list': 1,
  'liveBroadcasts.insert': 50,
  'liveBroadcasts.update': 50,
  'liveBroadcasts.bind': 50,
  'liveBroadcasts.transition': 50,
  'liveBroadcasts.delete': 50,
  'liveStreams.list': 1,
  'liveStreams.insert': 50,
  'liveStreams.delete': 50,
} as const;
export type YouTubeMethod = keyof typeof YOUTUBE_UNIT_COSTS;

/**
 * Counts an account's units per (Pacific) day and refuses, before the call, one that would go past the
 * daily budget: a `PlatformError` of kind `quota` with what was spent.
 */
export interface QuotaLedger {
  spend(accountId: string, method: YouTubeMethod, units: number): Promise<void>;
}
