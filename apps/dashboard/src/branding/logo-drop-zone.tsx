import { Box, Text } from '@mantine/core';
import { useRef, useState, type DragEvent } from 'react';

export const MAX_LOGO_BYTES = 2 * 1024 * 1024;
const ACCEPTED = ['image/png', 'image/jpeg'];

/** The same limits the gateway checks (it also checks the content), said before the upload. */
export function logoFileProblem(file: { type: string; size: number }): string | null {
  if (!ACCEPTED.includes(file.type)) return 'file must be a PNG or JPEG image';
  if (file.size > MAX_LOGO_BYTES) return 'logo file is larger than 2 MB';
  return null;
}

/**
 * A drop zone around a plain file input: drag a file onto it, or use the input (keyboard and screen
 * readers reach it as "Logo file").
 */
export function LogoDropZone({ onFile, disabled }: { onFile: (file: File) => void; disabled?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const take = (files: FileList | null) => {
    const file = files?.[0];
    if (file) onFile(file);
  };
  return (
    <Box
      onDragOver={(event: DragEvent) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event: DragEvent) => {
        event.preventDefault();
        setOver(false);
        if (!disabled) take(event.dataTransfer.files);
      }}
      p="md"
      style={{
        border: `2px dashed var(--mantine-color-${over ? 'red-5' : 'dark-3'})`,
        borderRadius: 'var(--mantine-radius-md)',
        textAlign: 'center',
      }}
    >
      <Text size="sm" mb="xs">
        Drop a PNG or JPEG (up to 2 MB) here, or choose one:
      </Text>
      <input
        ref={input}
        type="file"
        accept="image/png,image/jpeg"
        aria-label="Logo file"
        disabled={disabled}
        onChange={(event) => {
          take(event.currentTarget.files);
          event.currentTarget.value = '';
        }}
      />
    </Box>
  );
}
