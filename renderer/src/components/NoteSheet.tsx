import { useState } from 'react';
import { Sheet } from './Sheet.js';

/**
 * A note on one line ("oat milk") or on the whole order: printed on the receipt and sent with
 * the Shopify order. Enter saves, Escape closes; saving an empty note takes it off.
 */
export function NoteSheet({
  title,
  current,
  maxLength,
  onSave,
  onClose,
}: {
  /** What the note is on: "Flat White" or "the order". */
  title: string;
  current: string | null;
  maxLength: number;
  onSave: (note: string | null) => Promise<unknown>;
  onClose: () => void;
}) {
  const [text, setText] = useState(current ?? '');
  const [busy, setBusy] = useState(false);
  const save = (note: string | null) => {
    if (busy) return;
    setBusy(true);
    void onSave(note).finally(() => setBusy(false));
  };
  return (
    <Sheet label={`Note on ${title}`} className="note-sheet" onClose={onClose}>
      <h2>Note on {title}</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const note = text.trim();
          save(note === '' ? null : note);
        }}
      >
        <label className="field">
          <span>Note (on the receipt and the order)</span>
          <input
            data-testid="note-input"
            autoFocus
            value={text}
            maxLength={maxLength}
            placeholder="Oat milk, no onions, for table 4…"
            onChange={(e) => setText(e.target.value)}
          />
        </label>
        <div className="sheet-actions">
          <button className="btn primary" data-testid="note-save" disabled={busy}>
            Save the note
          </button>
          {current && (
            <button
              type="button"
              className="btn ghost danger"
              data-testid="note-remove"
              disabled={busy}
              onClick={() => save(null)}
            >
              Remove the note
            </button>
          )}
          <button type="button" className="btn ghost" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
    </Sheet>
  );
}
