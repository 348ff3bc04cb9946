import { renderTemplate } from '@streamcaster/contracts';
import { fireEvent, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithApp, type Route } from '../test-utils';
import BrandingPage from './branding.page';

const context = { dj: 'DJ Nova', org: 'Radio Kosmos', startedAt: new Date('2026-03-14T18:05:00Z'), environment: 'live' as const, timeZone: 'UTC' };

describe('template preview renderer (the publisher’s own, from libs/contracts)', () => {
  it('fills every placeholder and keeps {{ }} as braces', () => {
    expect(renderTemplate('{dj} @ {org} {date} {time} [{environment}]', context)).toBe('DJ Nova @ Radio Kosmos 2026-03-14 18:05 [live]');
    expect(renderTemplate('{{dj}} is {dj}', context)).toBe('{dj} is DJ Nova');
    expect(renderTemplate('{unknown} {constructor}', context)).toBe('{unknown} {constructor}');
  });
});

describe('Branding page preview', () => {
  const ADMIN = { id: '00000000-0000-4000-8000-000000000001', email: 'admin@example.com', role: 'admin', djId: null };
  const branding = {
    organizationName: 'Radio Kosmos',
    titleTemplate: '{dj} live at {org}',
    descriptionTemplate: 'Set by {dj}',
    slateTemplate: '{dj} will be right back',
    logoPosition: 'top-right',
    logo: null,
    vj: { scenes: ['spectrum', 'scope', 'histogram'], palette: 'rainbow', phraseBeats: 16 },
    updatedAt: '2026-03-14T18:00:00.000Z',
  };
  const route: Route = (method, path) => (method === 'GET' && path === '/api/branding' ? { status: 200, json: branding } : undefined);

  it('renders the templates as they are typed, HTML as text', async () => {
    const { api } = renderWithApp(<BrandingPage />, route);
    api.session.set({ accessToken: 't', expiresAt: new Date(Date.now() + 900_000).toISOString(), user: ADMIN } as never);
    const title = await screen.findByLabelText('Title preview');
    expect(title.textContent).toBe('DJ Nova live at Radio Kosmos');
    fireEvent.change(screen.getByLabelText('Title template'), { target: { value: '<b>{org}</b> {{x}}' } });
    expect(screen.getByLabelText('Title preview').textContent).toBe('<b>Radio Kosmos</b> {x}');
    expect(screen.getByLabelText('Title preview').querySelector('b')).toBeNull();
  });

  it("refuses an empty title template with the server's own message", async () => {
    const { api } = renderWithApp(<BrandingPage />, route);
    api.session.set({ accessToken: 't', expiresAt: new Date(Date.now() + 900_000).toISOString(), user: ADMIN } as never);
    fireEvent.change(await screen.findByLabelText('Title template'), { target: { value: '  ' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save branding' }));
    expect(await screen.findByText('titleTemplate must not be empty')).toBeTruthy();
  });
});
