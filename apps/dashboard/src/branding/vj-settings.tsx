import { Checkbox, Group, NativeSelect, Paper, Stack, Text, Title } from '@mantine/core';
import {
  brandingUpdateSchema,
  VJ_PALETTES,
  VJ_PHRASE_BEATS,
  VJ_SCENE_NAMES,
  vjPaletteSchema,
  type Branding,
  type VjPalette,
  type VjSceneName,
  type VjSettings,
} from '@streamcaster/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { queryKeys } from '../api/resources';
import { useResources } from '../app-services';
import { useFormErrors } from '../forms/use-form-errors';
import { FormFooter, SavedNote } from '../shell/widgets';

const SCENE_LABELS: Record<VjSceneName, { label: string; description: string }> = {
  spectrum: { label: 'Spectrum', description: 'Bars and a scrolling sonogram of the music' },
  scope: { label: 'Vector scope', description: 'The stereo image as moving curves; its shape changes with each look' },
  histogram: { label: 'Histogram', description: 'Levels of both channels, scrolling' },
};
const PALETTE_LABELS: Record<VjPalette, string> = { rainbow: 'Rainbow', warm: 'Warm (reds, ambers)', cool: 'Cool (blues, teals)' };
/** The preview's tempo: a typical house set. */
export const PREVIEW_BPM = 124;

/** What the VJ shows `seconds` into the preview: the look (its tint), the beat within the phrase, and the flash of the beat (1 on it, fading). */
export function previewFrame(seconds: number, settings: Pick<VjSettings, 'palette' | 'phraseBeats'>, bpm = PREVIEW_BPM) {
  const tints = VJ_PALETTES[settings.palette];
  const beats = (seconds * bpm) / 60;
  const beat = Math.floor(beats);
  const look = Math.floor(beat / settings.phraseBeats) % tints.length;
  // As the transcoder's accent: exp(-10 t) after each beat.
  const flash = Math.exp((-10 * (beats - beat) * 60) / bpm);
  return { look, hue: tints[look]!, beatInPhrase: (beat % settings.phraseBeats) + 1, flash };
}

/**
 * A preview of the settings: the looks in turn at 124 BPM, changing every phrase, flashing on each
 * beat, in the style of the first scene that is on. Drawn in the browser (what the VJ's looks and
 * timing will be); the picture on air is ffmpeg's own drawing of the DJ's music.
 */
function VjPreview({ settings }: { settings: VjSettings }) {
  const canvas = useRef<HTMLCanvasElement | null>(null);
  const [state, setState] = useState(() => previewFrame(0, settings));
  const scene = VJ_SCENE_NAMES.find((name) => settings.scenes.includes(name)) ?? 'spectrum';
  useEffect(() => {
    const started = performance.now();
    let frame = 0;
    const draw = () => {
      const seconds = (performance.now() - started) / 1000;
      const now = previewFrame(seconds, settings);
      setState((previous) => (previous.look === now.look && previous.beatInPhrase === now.beatInPhrase ? previous : now));
      const context = canvas.current?.getContext('2d');
      if (context) drawScene(context, scene, now.hue, now.flash, seconds);
      frame = requestAnimationFrame(draw);
    };
    frame = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(frame);
  }, [settings, scene]);
  return (
    <Stack gap={4}>
      <canvas ref={canvas} width={320} height={180} role="img" aria-label={`VJ preview: ${SCENE_LABELS[scene].label.toLowerCase()}, ${settings.palette} palette`} style={{ width: '100%', aspectRatio: '16 / 9', background: 'black', borderRadius: 'var(--mantine-radius-md)' }} />
      <Text size="xs" c="dimmed" aria-label="VJ preview timing">
        Look {state.look + 1} of {VJ_PALETTES[settings.palette].length} · beat {state.beatInPhrase} of {settings.phraseBeats} at {PREVIEW_BPM} BPM
      </Text>
    </Stack>
  );
}

function drawScene(context: CanvasRenderingContext2D, scene: VjSceneName, hue: number, flash: number, seconds: number): void {
  const { width, height } = context.canvas;
  context.fillStyle = `hsl(${hue} 60% ${Math.round(3 + 10 * flash)}%)`;
  context.fillRect(0, 0, width, height);
  context.strokeStyle = context.fillStyle = `hsl(${hue} 85% ${Math.round(55 + 20 * flash)}%)`;
  const level = (x: number) => 0.5 + 0.5 * Math.sin(x * 7.1 + seconds * 3) * Math.cos(x * 3.3 - seconds * 1.7);
  if (scene === 'scope') {
    context.beginPath();
    for (let step = 0; step <= 400; step++) {
      const t = (step / 400) * Math.PI * 2;
      const r = (0.35 + 0.1 * flash) * height;
      const x = width / 2 + r * Math.sin(3 * t + seconds) * level(t);
      const y = height / 2 + r * Math.sin(2 * t);
      if (step === 0) context.moveTo(x, y);
      else context.lineTo(x, y);
    }
    context.stroke();
    return;
  }
  const bars = scene === 'spectrum' ? 48 : 96;
  for (let bar = 0; bar < bars; bar++) {
    const value = level(bar / bars) * (0.6 + 0.4 * flash);
    const barHeight = value * height * (scene === 'spectrum' ? 0.6 : 0.45);
    const x = (bar / bars) * width;
    if (scene === 'spectrum') context.fillRect(x, height * 0.6 - barHeight, width / bars - 1, barHeight);
    else {
      context.fillRect(x, height / 2 - barHeight, width / bars, barHeight);
      context.fillRect(x, height / 2, width / bars, barHeight * 0.8);
    }
  }
}

/** The automated VJ's part of the branding, saved on its own. */
export function VjSettingsSection({ branding, editable }: { branding: Branding; editable: boolean }) {
  const resources = useResources();
  const queryClient = useQueryClient();
  const [settings, setSettings] = useState<VjSettings>(branding.vj);
  const [saved, setSaved] = useState(false);
  const form = useFormErrors(['vj']);
  const change = (next: Partial<VjSettings>) => {
    setSaved(false);
    setSettings((current) => ({ ...current, ...next }));
  };

  function submit(event: FormEvent) {
    event.preventDefault();
    void form.submit(brandingUpdateSchema, { vj: settings }, async (body) => {
      queryClient.setQueryData(queryKeys.branding, await resources.branding.update(body));
      setSaved(true);
    });
  }

  return (
    <Paper withBorder p="md" component="form" onSubmit={submit} noValidate aria-label="Automated VJ">
      <Stack>
        <Title order={3} size="h5">
          Automated VJ
        </Title>
        <Text size="sm" c="dimmed">
          For DJs who send sound only (Traktor, OBS audio only): visuals drawn from the music, changing look on the phrases of its beat and flashing on each beat.
        </Text>
        <Checkbox.Group
          label="Scenes"
          description="The transcoder takes the first of these that the machine keeps in real time"
          value={settings.scenes}
          // In the order of preference, whatever order they were ticked in.
          onChange={(values) => change({ scenes: VJ_SCENE_NAMES.filter((name) => values.includes(name)) })}
          error={form.field('vj')}
        >
          <Stack gap="xs" mt="xs">
            {VJ_SCENE_NAMES.map((scene) => (
              <Checkbox key={scene} value={scene} label={SCENE_LABELS[scene].label} description={SCENE_LABELS[scene].description} disabled={!editable} />
            ))}
          </Stack>
        </Checkbox.Group>
        <Group grow align="flex-start">
          <NativeSelect
            label="Palette"
            data={Object.entries(PALETTE_LABELS).map(([value, label]) => ({ value, label }))}
            value={settings.palette}
            onChange={(event) => change({ palette: vjPaletteSchema.parse(event.currentTarget.value) })}
            disabled={!editable}
          />
          <NativeSelect
            label="Change look every"
            data={VJ_PHRASE_BEATS.map((beats) => ({ value: String(beats), label: `${beats} beats` }))}
            value={String(settings.phraseBeats)}
            onChange={(event) => change({ phraseBeats: Number(event.currentTarget.value) as VjSettings['phraseBeats'] })}
            disabled={!editable}
          />
        </Group>
        <VjPreview settings={settings} />
        <SavedNote shown={saved} />
        {editable && <FormFooter formError={form.errors.form} busy={form.busy} submitLabel="Save VJ settings" />}
      </Stack>
    </Paper>
  );
}
