import {
  brandingSchema,
  brandingUpdateSchema,
  broadcastPatchSchema,
  broadcastUpdateResultSchema,
  broadcastViewSchema,
  choosePageRequestSchema,
  createdUserSchema,
  destinationCreateSchema,
  destinationPatchSchema,
  destinationViewSchema,
  DeletePlatformAccount,
  djCreateSchema,
  djViewSchema,
  djWithKeySchema,
  ListTracks,
  nowPlayingSchema,
  platformAccountViewSchema,
  platformConnectRequestSchema,
  platformSetupViewSchema,
  recordingFileUrlSchema,
  recordingViewSchema,
  rotatedKeySchema,
  StartPlatformConnect,
  statsHistorySchema,
  trackViewSchema,
  userCreateSchema,
  userPatchSchema,
  userViewSchema,
  type Environment,
} from '@streamcaster/contracts';
import { z } from 'zod';
import type { ApiClient } from './api-client';

export interface BroadcastFilters {
  environment?: Environment;
  djId?: string;
  from?: string;
  to?: string;
  running?: boolean;
}

/** Every route of the gateway the dashboard calls, each with its contract schemas. */
export function createResources(api: ApiClient) {
  const id = (value: string) => encodeURIComponent(value);
  return {
    users: {
      list: () => api.request('/users', { response: z.array(userViewSchema) }),
      create: (value: unknown) => api.request('/users', { method: 'POST', body: { schema: userCreateSchema, value }, response: createdUserSchema }),
      update: (userId: string, value: unknown) =>
        api.request(`/users/${id(userId)}`, { method: 'PATCH', body: { schema: userPatchSchema, value }, response: userViewSchema }),
      remove: (userId: string) => api.request(`/users/${id(userId)}`, { method: 'DELETE' }),
    },
    djs: {
      list: () => api.request('/djs', { response: z.array(djViewSchema) }),
      create: (value: unknown) => api.request('/djs', { method: 'POST', body: { schema: djCreateSchema, value }, response: djWithKeySchema }),
      rotateKey: (djId: string) => api.request(`/djs/${id(djId)}/rotate-key`, { method: 'POST', response: rotatedKeySchema }),
    },
    destinations: {
      list: (environment: Environment) => api.request('/destinations', { query: { environment }, response: z.array(destinationViewSchema) }),
      create: (value: unknown) =>
        api.request('/destinations', { method: 'POST', body: { schema: destinationCreateSchema, value }, response: destinationViewSchema }),
      update: (destinationId: string, value: unknown) =>
        api.request(`/destinations/${id(destinationId)}`, { method: 'PATCH', body: { schema: destinationPatchSchema, value }, response: destinationViewSchema }),
      remove: (destinationId: string) => api.request(`/destinations/${id(destinationId)}`, { method: 'DELETE' }),
    },
    platforms: {
      /** Per platform: configured or not (and what to set), the redirect URI to register. */
      setups: () => api.request('/platforms', { response: z.array(platformSetupViewSchema) }),
    },
    platformAccounts: {
      list: (environment: Environment) => api.request('/platform-accounts', { query: { environment }, response: z.array(platformAccountViewSchema) }),
      /** Starts the OAuth flow: the browser is to be sent to `authorizeUrl`. */
      connect: (value: unknown) =>
        api.request('/platform-accounts', { method: 'POST', body: { schema: platformConnectRequestSchema, value }, response: StartPlatformConnect.response }),
      choosePage: (accountId: string, value: unknown) =>
        api.request(`/platform-accounts/${id(accountId)}/page`, { method: 'POST', body: { schema: choosePageRequestSchema, value }, response: platformAccountViewSchema }),
      remove: (accountId: string) =>
        api.request(`/platform-accounts/${id(accountId)}`, { method: 'DELETE', response: DeletePlatformAccount.response }),
    },
    branding: {
      get: () => api.request('/branding', { response: brandingSchema }),
      update: (value: unknown) => api.request('/branding', { method: 'PUT', body: { schema: brandingUpdateSchema, value }, response: brandingSchema }),
      uploadLogo: (file: File) => {
        const form = new FormData();
        form.set('file', file);
        return api.request('/branding/logo', { method: 'PUT', form, response: brandingSchema });
      },
    },
    broadcasts: {
      list: (filters: BroadcastFilters) => api.request('/broadcasts', { query: { ...filters }, response: z.array(broadcastViewSchema) }),
      get: (broadcastId: string) => api.request(`/broadcasts/${id(broadcastId)}`, { response: broadcastViewSchema }),
      /** Answers the broadcast and how each platform of it took the new text. */
      update: (broadcastId: string, value: unknown) =>
        api.request(`/broadcasts/${id(broadcastId)}`, { method: 'PATCH', body: { schema: broadcastPatchSchema, value }, response: broadcastUpdateResultSchema }),
      stop: (broadcastId: string) => api.request(`/broadcasts/${id(broadcastId)}/stop`, { method: 'POST', response: broadcastViewSchema }),
      stats: (broadcastId: string, range: { from?: string; to?: string } = {}) =>
        api.request(`/broadcasts/${id(broadcastId)}/stats`, { query: range, response: statsHistorySchema }),
      /** The broadcast's tracklist, oldest first. */
      tracks: (broadcastId: string) => api.request(`/broadcasts/${id(broadcastId)}/tracks`, { response: ListTracks.response }),
      /** What plays now, set by hand (DJ software sends the same); 409 when the broadcast is not running. */
      setNowPlaying: (broadcastId: string, value: unknown) =>
        api.request(`/broadcasts/${id(broadcastId)}/now-playing`, { method: 'POST', body: { schema: nowPlayingSchema, value }, response: trackViewSchema }),
    },
    recordings: {
      list: () => api.request('/recordings', { response: z.array(recordingViewSchema) }),
      /** A short-lived URL that a <video> or a download link can use without the Bearer header. */
      fileUrl: (recordingId: string) => api.request(`/recordings/${id(recordingId)}/file-url`, { method: 'POST', response: recordingFileUrlSchema }),
    },
  };
}

export type Resources = ReturnType<typeof createResources>;

/** TanStack Query keys, one spelling each, so that a mutation invalidates what it changed. */
export const queryKeys = {
  users: ['users'] as const,
  djs: ['djs'] as const,
  destinations: (environment: Environment) => ['destinations', environment] as const,
  branding: ['branding'] as const,
  platforms: ['platforms'] as const,
  platformAccounts: (environment: Environment) => ['platform-accounts', environment] as const,
  broadcasts: (filters: BroadcastFilters) => ['broadcasts', filters] as const,
  broadcast: (broadcastId: string) => ['broadcast', broadcastId] as const,
  stats: (broadcastId: string) => ['stats', broadcastId] as const,
  tracks: (broadcastId: string) => ['tracks', broadcastId] as const,
  recordings: ['recordings'] as const,
};
