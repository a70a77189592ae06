import { useEffect, useState } from 'react';
import { useShell } from '../context.js';

/**
 * On the register while no shift is open: selling goes on (the next shift adopts these sales),
 * but the drawer has no counted float until someone opens one.
 */
export function ShiftNudge({ onOpenShift }: { onOpenShift: () => void }) {
  const { till } = useShell();
  const [open, setOpen] = useState<boolean | null>(null);
  useEffect(() => {
    // A till that cannot say (locked, unreachable) shows nothing rather than a wrong nudge.
    till.getShift().then(
      ({ shift }) => setOpen(shift !== null),
      () => setOpen(null),
    );
    return till.on('shiftChanged', ({ shift }) => setOpen(shift !== null));
  }, [till]);
  if (open !== false) return null;
  return (
    <div className="shift-nudge" role="status" data-testid="shift-nudge">
      <span>No shift open</span>
      <button className="btn small primary" data-testid="nudge-open-shift" onClick={onOpenShift}>
        Open shift
      </button>
    </div>
  );
}
