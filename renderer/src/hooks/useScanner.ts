import { useLayoutEffect, useRef, type RefObject } from 'react';

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
 *
 * With `onType` (a keypad on screen) the keyboard types amounts outside text fields: each key
 * is held for `maxGapMs`, and reaches `onType` once no faster key followed it. A burst of at
 * least `minLength` keys ending in Enter is still a scan, and none of its keys is typed, so a
 * scanner never puts a barcode into an amount or confirms it. `onType` answers whether it took
 * a key it was given (Enter, Backspace…): a taken key does nothing else (no focused button
 * pressed twice). Keys are typed only while nothing is over the typing surface: with `owner`
 * (a sheet's dialog) while that dialog is the top one, without it while no dialog is open, so
 * Enter on a confirmation over the cash sheet never takes the cash as well.
 */
export function useScanner(
  onScan: (code: string) => void,
  opts: {
    enabled: boolean;
    onType?: (key: string) => boolean;
    owner?: RefObject<Element | null>;
    maxGapMs?: number;
    minLength?: number;
  },
) {
  const { enabled, onType, owner, maxGapMs = 50, minLength = 6 } = opts;
  const typing = onType !== undefined;
  const buffer = useRef('');
  const last = useRef(0);
  const handler = useRef(onScan);
  const typed = useRef(onType);
  // Before the browser hands over the next key: a key typed just after a render sees its handlers.
  useLayoutEffect(() => {
    handler.current = onScan;
    typed.current = onType;
  }, [onScan, onType]);

  // Listening from the commit that shows the screen, not a task later: a reader that types the
  // moment a QR appears is heard.
  useLayoutEffect(() => {
    if (!enabled) return;
    let held: string[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    const release = () => {
      clearTimeout(timer);
      const keys = held;
      held = [];
      for (const k of keys) typed.current?.(k);
    };

    function onKeyTyping(e: KeyboardEvent) {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const gap = e.timeStamp - last.current;
      last.current = e.timeStamp;
      if (e.key.length === 1) {
        e.preventDefault();
        if (gap > maxGapMs) release();
        held.push(e.key);
        clearTimeout(timer);
        timer = setTimeout(release, maxGapMs);
        return;
      }
      if (e.key === 'Enter' && gap <= maxGapMs && held.length >= minLength) {
        const code = held.join('');
        clearTimeout(timer);
        held = [];
        e.preventDefault();
        e.stopPropagation();
        handler.current(code);
        return;
      }
      release();
      if (typed.current?.(e.key)) {
        e.preventDefault();
        e.stopPropagation();
      }
    }

    function onKey(e: KeyboardEvent) {
      if (e.target instanceof Element && e.target.closest('[data-no-scan]')) return;
      if (typing) {
        const dialogs = document.querySelectorAll('[role="dialog"]');
        if ((dialogs[dialogs.length - 1] ?? null) !== (owner?.current ?? null)) return;
        if (!isEditable(e.target)) return onKeyTyping(e);
      }
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
    return () => {
      window.removeEventListener('keydown', onKey, true);
      // Keys typed just before the keypad closed still count (Escape right after "5").
      release();
    };
  }, [enabled, typing, owner, maxGapMs, minLength]);
}
