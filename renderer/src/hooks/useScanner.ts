import { useEffect, useRef } from 'react';

/**
 * A barcode scanner is a keyboard that types a burst of characters then Enter. Keys that
 * arrive faster than a person types are collected; a burst of at least `minLength` ending in
 * Enter is a scan. Works wherever focus is, except in fields that opt out (data-no-scan).
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
      const now = e.timeStamp;
      if (now - last.current > maxGapMs) buffer.current = '';
      last.current = now;
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
