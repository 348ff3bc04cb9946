import type { LogoPosition } from '@streamcaster/contracts';

/**
 * The program's picture as the transcoder composes it (apps/transcoder/src/composition/overlay-layout.ts),
 * in proportions of the frame: the logo fits 25 % × 15 % of it, 3 % of the height from the edges; the
 * DJ's name card is 60 % wide, its text 4.5 % of the height, bottom-left unless the logo is there.
 */
export function ComposedPreview({ logoUrl, position, djName }: { logoUrl: string | null; position: LogoPosition; djName: string }) {
  const marginY = '3%';
  // 3 % of the height is 3 × 9/16 % of the width.
  const marginX = `${(3 * 9) / 16}%`;
  const right = position.endsWith('right');
  const bottom = position.startsWith('bottom');
  const nameRight = position === 'bottom-left' && logoUrl !== null;
  return (
    <div
      role="img"
      aria-label={`Composed picture: logo ${position.replace('-', ' ')}, name card of ${djName}`}
      style={{
        position: 'relative',
        width: '100%',
        aspectRatio: '16 / 9',
        overflow: 'hidden',
        borderRadius: 'var(--mantine-radius-md)',
        background: 'linear-gradient(135deg, #1b1f3a 0%, #3b1f4a 50%, #0f2a3a 100%)',
        containerType: 'size',
      }}
    >
      {logoUrl && (
        <img
          src={logoUrl}
          alt=""
          style={{
            position: 'absolute',
            width: '25%',
            height: '15%',
            objectFit: 'contain',
            objectPosition: `${right ? 'right' : 'left'} ${bottom ? 'bottom' : 'top'}`,
            [right ? 'right' : 'left']: marginX,
            [bottom ? 'bottom' : 'top']: marginY,
          }}
        />
      )}
      <div
        style={{
          position: 'absolute',
          bottom: marginY,
          [nameRight ? 'right' : 'left']: marginX,
          width: '60%',
          height: '9cqh',
          display: 'flex',
          alignItems: 'center',
          justifyContent: nameRight ? 'flex-end' : 'flex-start',
        }}
      >
        <span style={{ background: 'rgba(0,0,0,0.55)', color: 'white', fontSize: '4.5cqh', fontWeight: 700, padding: '0 0.5em', lineHeight: 1.6, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis', maxWidth: '100%' }}>
          {djName}
        </span>
      </div>
    </div>
  );
}
