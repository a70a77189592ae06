import { useEffect, useRef, useState } from 'react';
import type { Cart, ParkedCart, ResumeChange } from '../../../shared/domain/index.js';
import { MAX_LENGTH } from '../../../shared/domain/limits.js';
import { formatFiat } from '../../../shared/money/index.js';
import { useShell } from '../context.js';
import { Sheet } from './Sheet.js';

/** "Flat White: was $4.50, now $4.75" / "Banana Bread is no longer sold: left out". */
export function describeChange(c: ResumeChange, currency: string): string {
  const name = c.variantTitle ? `${c.title} — ${c.variantTitle}` : c.title;
  return c.kind === 'removed' || c.now === null
    ? `${name} is no longer sold: left out`
    : `${name}: was ${formatFiat(c.was, currency)}, now ${formatFiat(c.now, currency)}`;
}

function parkedTime(iso: string): string {
  return new Date(iso).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
}

/**
 * Park and Held, in the cart's header: set the cart aside under a name while a customer fetches
 * their wallet, ring up the next one, and bring it back — priced again, saying what changed.
 */
export function HeldCarts({ cart, onCart }: { cart: Cart | null; onCart: (cart: Cart) => void }) {
  const { till, run, toast } = useShell();
  const [carts, setCarts] = useState<ParkedCart[]>([]);
  const [naming, setNaming] = useState(false);
  const [listing, setListing] = useState(false);

  useEffect(() => {
    // An event that lands while the first list is on its way is newer than that list.
    let pushed = false;
    const off = till.on('parkedCartsChanged', (next) => {
      pushed = true;
      setCarts(next);
    });
    void run(async () => {
      const { carts: listed } = await till.listParkedCarts();
      if (!pushed) setCarts(listed);
    });
    return off;
  }, [till, run]);

  const lines = cart?.lines.length ?? 0;
  return (
    <>
      {lines > 0 && (
        <button data-testid="park-cart" className="btn ghost small" onClick={() => setNaming(true)}>
          Park
        </button>
      )}
      {carts.length > 0 && (
        <button data-testid="held-carts" className="btn ghost small held" onClick={() => setListing(true)}>
          Held <span className="badge">{carts.length}</span>
        </button>
      )}
      {naming && (
        <NameDialog
          onCancel={() => setNaming(false)}
          onPark={(name) =>
            run(async () => {
              const { cart: emptied, parked } = await till.parkCart({ name });
              onCart(emptied);
              setNaming(false);
              toast('info', `Parked “${parked.name}”`);
            })
          }
        />
      )}
      {listing && (
        <Sheet label="Held carts" onClose={() => setListing(false)}>
          <h2>Held carts</h2>
          {lines > 0 && <p className="hint">Park or clear the current cart to resume another.</p>}
          <ul className="held-list">
            {carts.map((c) => (
              <li key={c.id} data-testid="held-cart" className="held-cart">
                <div className="held-text">
                  <strong>{c.name}</strong>
                  <small>
                    {c.itemCount} {c.itemCount === 1 ? 'item' : 'items'} · parked {parkedTime(c.parkedAt)}
                  </small>
                  {c.note && (
                    <small className="held-note" data-testid="held-note">
                      {c.note}
                    </small>
                  )}
                </div>
                <span className="held-total">{formatFiat(c.total, c.currency)}</span>
                <button
                  className="btn ghost small danger"
                  onClick={() => {
                    if (!confirm(`Discard “${c.name}”? Its items are not sold.`)) return;
                    void run(async () => setCarts((await till.discardParkedCart({ parkedId: c.id })).carts));
                  }}
                >
                  Discard
                </button>
                <button
                  data-testid="resume-cart"
                  className="btn primary"
                  disabled={lines > 0}
                  onClick={() =>
                    void run(async () => {
                      const { cart: resumed, changes } = await till.resumeParkedCart({ parkedId: c.id });
                      onCart(resumed);
                      setListing(false);
                      toast('info', `Resumed “${c.name}”`);
                      for (const change of changes) toast('bad', describeChange(change, resumed.currency));
                    })
                  }
                >
                  Resume
                </button>
              </li>
            ))}
          </ul>
          <button className="btn ghost" onClick={() => setListing(false)}>
            Close
          </button>
        </Sheet>
      )}
    </>
  );
}

function NameDialog({
  onPark,
  onCancel,
}: {
  onPark: (name: string) => Promise<unknown>;
  onCancel: () => void;
}) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const park = () => {
    if (busy || name.trim() === '') return;
    setBusy(true);
    void onPark(name.trim()).finally(() => setBusy(false));
  };
  return (
    <Sheet label="Park this cart" onClose={onCancel}>
      <form
        className="sheet-form"
        onSubmit={(e) => {
          e.preventDefault();
          park();
        }}
      >
        <h2>Park this cart</h2>
        <label className="field">
          <span>Name it so you find it again</span>
          <input
            ref={input}
            data-testid="park-name"
            value={name}
            maxLength={MAX_LENGTH.parkedName}
            placeholder="Customer’s name, table, coat colour…"
            onChange={(e) => setName(e.target.value)}
          />
        </label>
        <div className="sheet-actions">
          <button type="button" className="btn ghost" onClick={onCancel}>
            Cancel
          </button>
          <button
            data-testid="park-confirm"
            type="submit"
            className="btn primary big"
            disabled={busy || name.trim() === ''}
          >
            Park
          </button>
        </div>
      </form>
    </Sheet>
  );
}
