import { useEffect, useRef } from 'react';

function isEditable(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))
  );
}

/**
 * A barcode scanner is a keyboard that types a burst of characters then Enter. Outside text
 * fields nothing else wants those keys, so any run of at least `minLength` characters ending
 * in Enter is a scan (a cashier typing a barcode by hand gets the same result). Inside a text
 * field only a burst faster than a person types counts, so searching still works. Fields can
 * opt out entirely with data-no-scan.
 */
export function useScanner(
  onScan: (code: string) => void,
  opts: { enabled: boolean; maxGapMs?: number; minLength?: number },
) {
  const { enabled, maxGapMs = 50, minLength = 6 } = opts;
  const buffer = useRef('');
  const last = useRef(0);
  const handler = useRef(onScan);
  useEffect(() => {
    handler.current = onScan;
  }, [onScan]);

  useEffect(() => {
    if (!enabled) return;
    function onKey(e: KeyboardEvent) {
      if (e.target instanceof Element && e.target.closest('[data-no-scan]')) return;
      const gap = isEditable(e.target) ? maxGapMs : 3000;
      if (e.timeStamp - last.current > gap) buffer.current = '';
      last.current = e.timeStamp;
      if (e.key === 'Enter') {
        const code = buffer.current;
        buffer.current = '';
        if (code.length >= minLength) {
          e.preventDefault();
          e.stopPropagation();
          handler.current(code);
        }
        return;
      }
      if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) buffer.current += e.key;
    }
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  }, [enabled, maxGapMs, minLength]);
}
