import type { ApiPlatform, Platform } from '../domain.js';

/**
 * What each platform allows, in one place for the publisher (which refuses early, with the reason)
 * and the dashboard (which shows the limits before anyone types).
 */
export interface PlatformRules {
  label: string;
  /** Longest title the platform takes, in characters. */
  titleMaxLength: number | null;
  /** Longest description, in characters; null when the platform has no description. */
  descriptionMaxLength: number | null;
  /** Null when the platform has a private mode for Test; otherwise why it is left out of Test. */
  noTestReason: string | null;
  /** Whether the destination's privacy setting means anything there (Live only). */
  hasPrivacy: boolean;
}

export const PLATFORM_RULES: Record<Platform, PlatformRules> = {
  rtmp: { label: 'RTMP(S)', titleMaxLength: null, descriptionMaxLength: null, noTestReason: null, hasPrivacy: false },
  youtube: { label: 'YouTube', titleMaxLength: 100, descriptionMaxLength: 5000, noTestReason: null, hasPrivacy: true },
  twitch: { label: 'Twitch', titleMaxLength: 140, descriptionMaxLength: null, noTestReason: null, hasPrivacy: false },
  facebook: { label: 'Facebook', titleMaxLength: 255, descriptionMaxLength: 5000, noTestReason: null, hasPrivacy: false },
  kick: {
    label: 'Kick',
    titleMaxLength: 100,
    descriptionMaxLength: null,
    noTestReason: 'Kick has no private or test mode: anything sent to Kick is public, so Kick is left out of Test',
    hasPrivacy: false,
  },
};

/** Why a title or description cannot go to this platform, or null when it can. */
export function textRefusal(platform: Platform, text: { title?: string; description?: string }): string | null {
  const rules = PLATFORM_RULES[platform];
  if (text.title !== undefined && rules.titleMaxLength !== null && [...text.title].length > rules.titleMaxLength) {
    return `${rules.label} takes titles of at most ${rules.titleMaxLength} characters; this one has ${[...text.title].length}`;
  }
  if (text.description !== undefined && rules.descriptionMaxLength !== null && [...text.description].length > rules.descriptionMaxLength) {
    return `${rules.label} takes descriptions of at most ${rules.descriptionMaxLength} characters; this one has ${[...text.description].length}`;
  }
  return null;
}

/** The client credentials each platform needs from the environment before it can be connected. */
export const PLATFORM_CREDENTIAL_VARIABLES: Record<ApiPlatform, readonly [string, string]> = {
  youtube: ['YOUTUBE_CLIENT_ID', 'YOUTUBE_CLIENT_SECRET'],
  twitch: ['TWITCH_CLIENT_ID', 'TWITCH_CLIENT_SECRET'],
  facebook: ['FACEBOOK_APP_ID', 'FACEBOOK_APP_SECRET'],
  kick: ['KICK_CLIENT_ID', 'KICK_CLIENT_SECRET'],
};
