import { Alert, Image, NativeSelect, Paper, SimpleGrid, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { brandingUpdateSchema, logoPositionSchema, renderTemplate, TEMPLATE_PLACEHOLDERS, type Branding, type LogoPosition } from '@streamcaster/contracts';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { queryKeys } from '../api/resources';
import { useResources, useServices, useSession } from '../app-services';
import { errorMessage, useFormErrors } from '../forms/use-form-errors';
import { useEnvironment } from '../shell/environment';
import { can } from '../shell/navigation';
import { ErrorAlert, FormFooter, SavedNote } from '../shell/widgets';
import { ComposedPreview } from './composed-preview';
import { LogoDropZone, logoFileProblem } from './logo-drop-zone';
import { VjSettingsSection } from './vj-settings';

const FIELDS = ['organizationName', 'titleTemplate', 'descriptionTemplate', 'slateTemplate', 'logoPosition'] as const;
const POSITIONS: { value: LogoPosition; label: string }[] = [
  { value: 'top-left', label: 'Top left' },
  { value: 'top-right', label: 'Top right' },
  { value: 'bottom-left', label: 'Bottom left' },
  { value: 'bottom-right', label: 'Bottom right' },
];
const SAMPLE_DJ = 'DJ Nova';

/**
 * The saved logo as an object URL, fetched with the Bearer token (an <img src> cannot send it), from
 * `GET /api/branding/logo`; null when there is none or the gateway does not serve it.
 */
function useSavedLogo(branding: Branding | undefined): string | null {
  const { api } = useServices();
  const [url, setUrl] = useState<string | null>(null);
  const assetName = branding?.logo?.assetName ?? null;
  useEffect(() => {
    if (!assetName) return undefined;
    let objectUrl: string | null = null;
    let live = true;
    const token = api.currentToken();
    fetch('/api/branding/logo', { headers: token ? { authorization: `Bearer ${token}` } : {} })
      .then(async (response) => {
        if (!response.ok || !live) return;
        objectUrl = URL.createObjectURL(await response.blob());
        setUrl(objectUrl);
      })
      .catch(() => undefined);
    return () => {
      live = false;
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      setUrl(null);
    };
  }, [api, assetName]);
  return url;
}

function BrandingForm({ branding, editable }: { branding: Branding; editable: boolean }) {
  const resources = useResources();
  const queryClient = useQueryClient();
  const { environment } = useEnvironment();
  const [values, setValues] = useState({
    organizationName: branding.organizationName,
    titleTemplate: branding.titleTemplate,
    descriptionTemplate: branding.descriptionTemplate,
    slateTemplate: branding.slateTemplate,
    logoPosition: branding.logoPosition,
  });
  const [saved, setSaved] = useState(false);
  const [uploaded, setUploaded] = useState<string | null>(null);
  const [logoError, setLogoError] = useState<string | null>(null);
  const [uploading, setUploading] = useState(false);
  const savedLogo = useSavedLogo(branding);
  const form = useFormErrors(FIELDS);
  const set = (name: keyof typeof values) => (value: string) => {
    setSaved(false);
    setValues((current) => ({ ...current, [name]: value }));
  };

  useEffect(() => () => void (uploaded && URL.revokeObjectURL(uploaded)), [uploaded]);

  // The publisher renders with this same function, in UTC.
  const context = { dj: SAMPLE_DJ, org: values.organizationName, startedAt: new Date(), environment, timeZone: 'UTC' };

  function submit(event: FormEvent) {
    event.preventDefault();
    void form.submit(brandingUpdateSchema, values, async (body) => {
      queryClient.setQueryData(queryKeys.branding, await resources.branding.update(body));
      setSaved(true);
    });
  }

  async function upload(file: File) {
    const problem = logoFileProblem(file);
    if (problem) {
      setLogoError(problem);
      return;
    }
    setLogoError(null);
    setUploading(true);
    try {
      const next = await resources.branding.uploadLogo(file);
      setUploaded(URL.createObjectURL(file));
      queryClient.setQueryData(queryKeys.branding, next);
    } catch (error) {
      setLogoError(errorMessage(error));
    } finally {
      setUploading(false);
    }
  }

  const logoUrl = uploaded ?? savedLogo;
  const logo = branding.logo;

  return (
    <SimpleGrid cols={{ base: 1, lg: 2 }}>
      <Paper withBorder p="md" component="form" onSubmit={submit} noValidate aria-label="Branding">
        <Stack>
          <TextInput label="Organisation name" value={values.organizationName} onChange={(event) => set('organizationName')(event.currentTarget.value)} error={form.field('organizationName')} readOnly={!editable} />
          <TextInput label="Title template" value={values.titleTemplate} onChange={(event) => set('titleTemplate')(event.currentTarget.value)} error={form.field('titleTemplate')} readOnly={!editable} />
          <Textarea
            label="Description template"
            autosize
            minRows={3}
            value={values.descriptionTemplate}
            onChange={(event) => set('descriptionTemplate')(event.currentTarget.value)}
            error={form.field('descriptionTemplate')}
            readOnly={!editable}
          />
          <TextInput
            label="Slate message"
            description="Shown on the program while the DJ is away"
            value={values.slateTemplate}
            onChange={(event) => set('slateTemplate')(event.currentTarget.value)}
            error={form.field('slateTemplate')}
            readOnly={!editable}
          />
          <Text size="xs" c="dimmed">
            Placeholders: {TEMPLATE_PLACEHOLDERS.join(' ')}; write {'{{'} and {'}}'} for braces.
          </Text>
          <NativeSelect
            label="Logo position"
            data={POSITIONS}
            value={values.logoPosition}
            onChange={(event) => set('logoPosition')(logoPositionSchema.parse(event.currentTarget.value))}
            error={form.field('logoPosition')}
            disabled={!editable}
          />
          <SavedNote shown={saved} />
          {editable && <FormFooter formError={form.errors.form} busy={form.busy} submitLabel="Save branding" />}
        </Stack>
      </Paper>

      <Stack>
        <Paper withBorder p="md" component="section" aria-label="Text preview">
          <Text size="xs" c="dimmed">
            Title preview (DJ "{SAMPLE_DJ}", now, UTC)
          </Text>
          <Text fw={600} aria-label="Title preview" style={{ overflowWrap: 'anywhere' }}>
            {renderTemplate(values.titleTemplate, context)}
          </Text>
          <Text size="xs" c="dimmed" mt="sm">
            Description preview
          </Text>
          <Text size="sm" aria-label="Description preview" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            {renderTemplate(values.descriptionTemplate, context)}
          </Text>
          <Text size="xs" c="dimmed" mt="sm">
            Slate preview
          </Text>
          <Text size="sm" aria-label="Slate preview" style={{ overflowWrap: 'anywhere' }}>
            {renderTemplate(values.slateTemplate, context)}
          </Text>
        </Paper>

        <Paper withBorder p="md" component="section" aria-label="Logo">
          <Stack>
            <Title order={3} size="h5">
              Logo
            </Title>
            {logoUrl ? (
              <Image src={logoUrl} alt="Logo preview" h={80} w="auto" fit="contain" />
            ) : (
              <Text size="sm" c="dimmed">
                {logo ? `A ${logo.width}×${logo.height} ${logo.mimeType === 'image/png' ? 'PNG' : 'JPEG'} is set.` : 'No logo yet.'}
              </Text>
            )}
            {editable && <LogoDropZone onFile={(file) => void upload(file)} disabled={uploading} />}
            {uploading && (
              <Text size="sm" role="status">
                Uploading…
              </Text>
            )}
            {logoError && (
              <Alert color="red" role="alert">
                {logoError}
              </Alert>
            )}
          </Stack>
        </Paper>

        <Paper withBorder p="md" component="section" aria-label="Picture preview">
          <Text size="xs" c="dimmed" mb="xs">
            The picture as the program shows it
          </Text>
          <ComposedPreview logoUrl={logoUrl} position={values.logoPosition} djName={SAMPLE_DJ} />
        </Paper>
      </Stack>
    </SimpleGrid>
  );
}

/** Organisation, title and description templates with their live preview, the logo and the composed picture, the automated VJ. */
export default function BrandingPage() {
  const resources = useResources();
  const session = useSession();
  const branding = useQuery({ queryKey: queryKeys.branding, queryFn: () => resources.branding.get() });
  return (
    <Stack>
      <Title order={2}>Branding</Title>
      <ErrorAlert error={branding.error} />
      {branding.data && <BrandingForm branding={branding.data} editable={can.editBranding(session?.user.role ?? 'dj')} />}
      {branding.data && (
        <SimpleGrid cols={{ base: 1, lg: 2 }}>
          <VjSettingsSection branding={branding.data} editable={can.editBranding(session?.user.role ?? 'dj')} />
        </SimpleGrid>
      )}
    </Stack>
  );
}
