import { CloseButton, Group, List, Paper, Text } from '@mantine/core';
import { PLATFORM_RULES, type PlatformTextUpdate } from '@streamcaster/contracts';

const OUTCOME: Record<PlatformTextUpdate['outcome'], { word: string; color: string }> = {
  updated: { word: 'updated', color: 'green.4' },
  refused: { word: 'refused, keeps its old text', color: 'red.4' },
  'not-running': { word: 'not running there now', color: 'dimmed' },
};

/**
 * How each platform of the broadcast took an edited title or description: updated, refused (with the
 * platform's reason; it keeps its old text) or not running. Names and messages are rendered as text.
 */
export function PlatformUpdateOutcomes({ updates, onClose }: { updates: readonly PlatformTextUpdate[]; onClose: () => void }) {
  if (updates.length === 0) return null;
  const refused = updates.some((update) => update.outcome === 'refused');
  return (
    <Paper withBorder p="sm" component="section" aria-label="Platforms' answers to the change" role={refused ? 'alert' : 'status'}>
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <Text size="sm" fw={600}>
          {refused ? 'Not every platform took the change' : 'Every platform took the change'}
        </Text>
        <CloseButton size="sm" aria-label="Dismiss the platforms' answers" onClick={onClose} />
      </Group>
      <List size="sm" spacing={2} mt={4} listStyleType="none">
        {updates.map((update) => (
          <List.Item key={update.destinationId} data-outcome={update.outcome}>
            <Text span size="sm" fw={500}>
              {update.name} ({PLATFORM_RULES[update.platform].label}):
            </Text>{' '}
            <Text span size="sm" c={OUTCOME[update.outcome].color}>
              {OUTCOME[update.outcome].word}
              {update.outcome !== 'updated' && update.message ? ` — ${update.message}` : ''}
            </Text>
          </List.Item>
        ))}
      </List>
    </Paper>
  );
}
