import { useLayoutEffect, useRef, type ReactNode, type RefObject } from 'react';

/**
 * A dialog over the screen: a tap outside it or Escape closes it. With sheets stacked (a
 * confirmation over the cash sheet) Escape closes only the top one, the last dialog in the page.
 */
export function Sheet({
  label,
  className = '',
  onClose,
  children,
  dialogRef,
}: {
  label: string;
  className?: string;
  onClose: () => void;
  children: ReactNode;
  /** The dialog element, for a keyboard hook that types only while this sheet is on top. */
  dialogRef?: RefObject<HTMLDivElement | null>;
}) {
  const own = useRef<HTMLDivElement>(null);
  const ref = dialogRef ?? own;
  const close = useRef(onClose);
  useLayoutEffect(() => {
    close.current = onClose;
  }, [onClose]);
  // Listen from the commit on (a layout effect): a key pressed the moment the screen shows
  // must not reach a listener that is not there yet, or one left from the last render.
  useLayoutEffect(() => {
    // Focus inside (unless a field in it took it already): keys go to the sheet, not to the
    // button that opened it.
    if (!ref.current?.contains(document.activeElement)) ref.current?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      const dialogs = document.querySelectorAll('[role="dialog"]');
      if (dialogs[dialogs.length - 1] !== ref.current) return;
      e.preventDefault();
      close.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [ref]);
  return (
    <div className="sheet-backdrop" onClick={onClose}>
      <div
        ref={ref}
        className={`sheet ${className}`}
        role="dialog"
        aria-modal="true"
        aria-label={label}
        tabIndex={-1}
        onClick={(e) => e.stopPropagation()}
      >
        {children}
      </div>
    </div>
  );
}
