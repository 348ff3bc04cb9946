import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { renderWithApp, type Route } from '../test-utils';
import BrandingPage from './branding.page';
import { previewFrame } from './vj-settings';

const ADMIN = { id: '00000000-0000-4000-8000-000000000001', email: 'admin@example.com', role: 'admin', djId: null };
const OPERATOR = { ...ADMIN, role: 'operator' };
const branding = {
  organizationName: 'Radio Kosmos',
  titleTemplate: '{dj} live at {org}',
  descriptionTemplate: '',
  slateTemplate: '{dj} will be right back',
  logoPosition: 'top-right',
  logo: null,
  vj: { scenes: ['spectrum', 'scope', 'histogram'], palette: 'rainbow', phraseBeats: 16 },
  updatedAt: '2026-03-14T18:00:00.000Z',
};

function page(user: typeof ADMIN, sent: unknown[] = []) {
  const route: Route = (method, path, body) => {
    if (path !== '/api/branding') return undefined;
    if (method === 'GET') return { status: 200, json: branding };
    if (method === 'PUT') {
      sent.push(body);
      return { status: 200, json: { ...branding, ...(body as object) } };
    }
    return undefined;
  };
  const { api } = renderWithApp(<BrandingPage />, route);
  api.session.set({ accessToken: 't', expiresAt: new Date(Date.now() + 900_000).toISOString(), user } as never);
  return sent;
}

describe("the automated VJ's settings on the Branding page", () => {
  it('shows the saved settings, and saves the scenes, palette and look interval chosen', async () => {
    const sent = page(ADMIN);
    const section = await screen.findByRole('form', { name: 'Automated VJ' });
    const box = (name: string) => within(section).getByRole('checkbox', { name: new RegExp(`^${name}`) }) as HTMLInputElement;
    expect([box('Spectrum').checked, box('Vector scope').checked, box('Histogram').checked]).toEqual([true, true, true]);
    fireEvent.click(box('Spectrum'));
    fireEvent.change(within(section).getByLabelText('Palette'), { target: { value: 'warm' } });
    fireEvent.change(within(section).getByLabelText('Change look every'), { target: { value: '32' } });
    fireEvent.click(within(section).getByRole('button', { name: 'Save VJ settings' }));
    expect(await within(section).findByText('Saved.')).toBeTruthy();
    expect(sent).toEqual([{ vj: { scenes: ['scope', 'histogram'], palette: 'warm', phraseBeats: 32 } }]);
  });

  it('refuses to save with every scene off, saying why, and sends nothing', async () => {
    const sent = page(ADMIN);
    const section = await screen.findByRole('form', { name: 'Automated VJ' });
    for (const name of ['Spectrum', 'Vector scope', 'Histogram']) fireEvent.click(within(section).getByRole('checkbox', { name: new RegExp(`^${name}`) }));
    fireEvent.click(within(section).getByRole('button', { name: 'Save VJ settings' }));
    expect(await within(section).findByText('at least one VJ scene must be on')).toBeTruthy();
    expect(sent).toEqual([]);
  });

  it('previews the first scene that is on, with its palette and timing; an operator sees it but cannot save', async () => {
    page(OPERATOR);
    const section = await screen.findByRole('form', { name: 'Automated VJ' });
    expect(within(section).getByRole('img', { name: 'VJ preview: spectrum, rainbow palette' })).toBeTruthy();
    await waitFor(() => expect(within(section).getByLabelText('VJ preview timing').textContent).toMatch(/^Look 1 of 6 · beat \d+ of 16 at 124 BPM$/));
    expect(within(section).queryByRole('button', { name: 'Save VJ settings' })).toBeNull();
    expect((within(section).getByRole('checkbox', { name: /^Spectrum/ }) as HTMLInputElement).disabled).toBe(true);
  });
});

describe('the VJ preview timing (as the transcoder changes looks and flashes)', () => {
  it('changes the look every phrase, in the palette order, and flashes on each beat', () => {
    const beat = 60 / 124;
    expect(previewFrame(0, { palette: 'rainbow', phraseBeats: 16 })).toMatchObject({ look: 0, hue: 200, beatInPhrase: 1, flash: 1 });
    expect(previewFrame(15.5 * beat, { palette: 'rainbow', phraseBeats: 16 })).toMatchObject({ look: 0, beatInPhrase: 16 });
    expect(previewFrame(16 * beat + 0.001, { palette: 'rainbow', phraseBeats: 16 })).toMatchObject({ look: 1, hue: 320, beatInPhrase: 1 });
    expect(previewFrame(4 * beat + 0.001, { palette: 'cool', phraseBeats: 4 })).toMatchObject({ look: 1, hue: 260 });
    expect(previewFrame(6 * 16 * beat + 0.001, { palette: 'rainbow', phraseBeats: 16 }).look).toBe(0);
    expect(previewFrame(0.5 * beat, { palette: 'rainbow', phraseBeats: 16 }).flash).toBeLessThan(0.1);
  });
});
