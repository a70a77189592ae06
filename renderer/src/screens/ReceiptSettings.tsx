import { useEffect, useState, type ChangeEvent } from 'react';
import { TillError } from '../../../shared/contract/index.js';
import {
  LOGO_TOO_LARGE,
  MAX_LOGO_BYTES,
  MAX_RECEIPT_TEXT,
  PAPER_LABEL,
  PAPER_WIDTHS,
  type ReceiptSettings as Settings,
} from '../../../shared/receipt/settings.js';
import { useShell } from '../context.js';
import { printsThroughTill } from '../print/ReceiptActions.js';
import { errorMessage } from '../till-client.js';

const LOGO_TYPES = 'image/png,image/jpeg,image/gif,image/webp';

function readDataUrl(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () =>
      typeof reader.result === 'string'
        ? resolve(reader.result)
        : reject(new Error('The image could not be read'));
    reader.onerror = () => reject(new Error('The image could not be read'));
    reader.readAsDataURL(file);
  });
}

/**
 * Settings → Receipts: the logo, the lines above and below, the paper, and in the desktop app
 * the receipt printer and printing after every sale. The shop's address and tax id are under
 * Taxes and tips.
 */
export function ReceiptSettings() {
  const { till, run, toast } = useShell();
  const desktop = printsThroughTill();
  const [draft, setDraft] = useState<Settings | null>(null);
  const [printers, setPrinters] = useState<{ name: string; displayName: string }[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});

  useEffect(() => {
    void run(async () => setDraft(await till.getReceiptSettings()));
    if (desktop) void run(async () => setPrinters((await till.listPrinters()).printers));
  }, [till, run, desktop]);

  if (!draft)
    return (
      <section className="card receipt-settings">
        <h2>Receipts</h2>
        <p className="muted">Loading…</p>
      </section>
    );

  const edit = (patch: Partial<Settings>) => setDraft({ ...draft, ...patch });

  const pickLogo = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    // Refused here already, so a large photo is never sent to the till only to be refused there.
    if (file.size > MAX_LOGO_BYTES) return setErrors({ ...errors, logo: LOGO_TOO_LARGE });
    try {
      const logo = await readDataUrl(file);
      setErrors(({ logo: _, ...rest }) => rest);
      edit({ logo });
    } catch (err) {
      setErrors({ ...errors, logo: err instanceof Error ? err.message : 'The image could not be read' });
    }
  };

  const save = async () => {
    setErrors({});
    try {
      setDraft(await till.updateReceiptSettings(draft));
      toast('good', 'Receipt settings saved');
    } catch (err) {
      if (err instanceof TillError && err.issues)
        setErrors(Object.fromEntries(err.issues.map((i) => [i.path.split('.')[0] ?? i.path, i.message])));
      toast('bad', errorMessage(err));
    }
  };

  const printerKnown = draft.printerName === null || printers.some((p) => p.name === draft.printerName);
  return (
    <form
      className="card receipt-settings"
      data-no-scan
      data-testid="receipt-settings"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h2>Receipts</h2>
      <p className="muted">The shop’s address and tax id are under Taxes and tips.</p>
      <div className="receipt-logo">
        <span className="label-text">Logo</span>
        <div className="receipt-logo-row">
          {draft.logo ? (
            <img src={draft.logo} alt="The receipt’s logo" data-testid="receipt-logo-preview" />
          ) : (
            <span className="muted">No logo</span>
          )}
          <label className="btn ghost file-pick">
            {draft.logo ? 'Change…' : 'Choose an image…'}
            <input
              type="file"
              accept={LOGO_TYPES}
              onChange={(e) => void pickLogo(e)}
              data-testid="receipt-logo-file"
            />
          </label>
          {draft.logo && (
            <button type="button" className="btn ghost" onClick={() => edit({ logo: null })}>
              Remove
            </button>
          )}
        </div>
        <span className="muted">
          PNG, JPEG, GIF or WebP under {MAX_LOGO_BYTES / 1024} KB; about 300 pixels wide prints best.
        </span>
        {errors.logo && (
          <span className="field-error" data-testid="receipt-logo-error">
            {errors.logo}
          </span>
        )}
      </div>
      <label>
        Header (under the shop’s name)
        <textarea
          rows={2}
          value={draft.header}
          maxLength={MAX_RECEIPT_TEXT}
          onChange={(e) => edit({ header: e.target.value })}
          data-testid="receipt-header"
        />
        {errors.header && <span className="field-error">{errors.header}</span>}
      </label>
      <label>
        Footer (at the end)
        <textarea
          rows={2}
          value={draft.footer}
          maxLength={MAX_RECEIPT_TEXT}
          onChange={(e) => edit({ footer: e.target.value })}
          data-testid="receipt-footer"
        />
        {errors.footer && <span className="field-error">{errors.footer}</span>}
      </label>
      <div className="label-text">Paper</div>
      <div className="segmented" role="group" aria-label="Paper">
        {PAPER_WIDTHS.map((p) => (
          <button
            key={p}
            type="button"
            className={draft.paper === p ? 'active' : ''}
            aria-pressed={draft.paper === p}
            onClick={() => edit({ paper: p })}
            data-testid={`receipt-paper-${p}`}
          >
            {PAPER_LABEL[p]}
          </button>
        ))}
      </div>
      {desktop ? (
        <>
          <label>
            Receipt printer
            <select
              value={draft.printerName ?? ''}
              onChange={(e) => edit({ printerName: e.target.value === '' ? null : e.target.value })}
              data-testid="receipt-printer"
            >
              <option value="">Ask each time (the system’s print dialog)</option>
              {!printerKnown && (
                <option value={draft.printerName ?? ''}>{draft.printerName} (not found)</option>
              )}
              {printers.map((p) => (
                <option key={p.name} value={p.name}>
                  {p.displayName}
                </option>
              ))}
            </select>
          </label>
          <label className="toggle">
            <input
              type="checkbox"
              checked={draft.autoPrint}
              onChange={(e) => edit({ autoPrint: e.target.checked })}
              data-testid="receipt-auto-print"
            />
            Print the receipt after every sale, without asking
          </label>
          {draft.autoPrint && draft.printerName === null && (
            <p className="muted">
              With no receipt printer chosen, receipts go to the system’s default printer.
            </p>
          )}
        </>
      ) : (
        <p className="muted" data-testid="receipt-browser-note">
          In this browser, “Print receipt” opens the browser’s print dialog (its “Save as PDF” makes a PDF).
          The receipt printer and printing after every sale are chosen in the desktop app.
        </p>
      )}
      <button className="btn primary" type="submit" data-testid="receipt-save">
        Save receipt settings
      </button>
    </form>
  );
}
