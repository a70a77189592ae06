import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Cart, CartLine, Product, Sale, SaleSummary, Tip } from '../../../shared/domain/index.js';
import { printedSaleNumber, saleNumberFromCode } from '../../../shared/domain/sale-number.js';
import { MAX_LENGTH } from '../../../shared/domain/limits.js';
import { formatFiat, formatSats } from '../../../shared/money/index.js';
import { tipOn } from '../../../shared/pricing/index.js';
import type { PricingSettings } from '../../../shared/pricing/settings.js';
import { CashSheet } from '../components/CashSheet.js';
import { describeDiscount, DiscountSheet } from '../components/DiscountSheet.js';
import { useConfirmation } from '../components/Confirm.js';
import { HeldCarts } from '../components/HeldCarts.js';
import { useManagerApproval } from '../components/ManagerApproval.js';
import { Keypad } from '../components/Keypad.js';
import { NoteSheet } from '../components/NoteSheet.js';
import { findSaleByCode, ReturnPrompt } from '../components/ReturnPrompt.js';
import { ShiftNudge } from '../components/ShiftNudge.js';
import { Sheet } from '../components/Sheet.js';
import { TipSheet } from '../components/TipSheet.js';
import { useShell } from '../context.js';
import { useScanner } from '../hooks/useScanner.js';

const BARCODE = /^[0-9A-Za-z-]{6,}$/;

export function RegisterScreen({
  onCharged,
  onPaidCash,
  onOpenShift,
  onReturnSale,
}: {
  onCharged: (sale: Sale) => void;
  onPaidCash: (sale: Sale) => void;
  /** To the Shift screen, from the "No shift open" nudge; no nudge without it. */
  onOpenShift?: () => void;
  /** To Sales with this sale open for Return items, after a receipt was scanned here. */
  onReturnSale?: (saleId: string) => void;
}) {
  const { till, run, toast, status } = useShell();
  const [cart, setCart] = useState<Cart | null>(null);
  const [products, setProducts] = useState<Product[]>([]);
  const [query, setQuery] = useState('');
  const [category, setCategory] = useState<string | null>(null);
  const [mode, setMode] = useState<'products' | 'keypad'>('products');
  const [picking, setPicking] = useState<Product | null>(null);
  const [flash, setFlash] = useState<string | null>(null);
  const [charging, setCharging] = useState(false);
  /** Lightning (offline), issue 17: offered while the node is unreachable, or always if the owner chose. */
  const [offlineOffered, setOfflineOffered] = useState(false);
  const [cash, setCash] = useState(false);
  /**
   * Tips on: the tip is asked before the invoice ('charge'), before the offline link ('offline')
   * or before the cash sheet ('cash').
   */
  const [tips, setTips] = useState<PricingSettings['tips'] | null>(null);
  const [askingTip, setAskingTip] = useState<'charge' | 'offline' | 'cash' | null>(null);
  const [cashTip, setCashTip] = useState<Tip | null>(null);
  /** The discount being set: a line's (by id) or the whole cart's. */
  const [discounting, setDiscounting] = useState<{ lineId: string } | 'cart' | null>(null);
  /** The note being written: a line's (by id) or the order's. */
  const [noting, setNoting] = useState<{ lineId: string } | 'cart' | null>(null);
  /** The line whose quantity is being typed, and what is typed so far. */
  const [typing, setTyping] = useState<{ lineId: string; text: string } | null>(null);
  // Which line's typed quantity may still be kept: a field closed by Escape or a scan (the
  // browser may blur it as it goes) keeps nothing, and Enter then blur keeps it once.
  const typingLine = useRef<string | null>(null);
  const stopTyping = useCallback(() => {
    typingLine.current = null;
    setTyping(null);
  }, []);
  const charged = useRef(false);
  const searchRef = useRef<HTMLInputElement>(null);
  // A large amount is the till's question ("This is $X — is that right?"), asked here.
  const large = useConfirmation();
  const { withConfirmation } = large;
  // A discount above the owner's limit: the manager's PIN, asked here.
  const manager = useManagerApproval();
  const currency = cart?.currency ?? status?.settings.currency ?? 'USD';

  useEffect(() => {
    void run(async () => setCart(await till.getCart()));
    return till.on('cartChanged', setCart);
  }, [till, run]);

  // Whether to ask for a tip, as the owner set it (pushed again whenever it is saved).
  useEffect(() => {
    void run(async () => setTips((await till.getPricingSettings()).tips));
    return till.on('pricingChanged', (p) => setTips(p.tips));
  }, [till, run]);
  const askTips = tips?.enabled === true && tips.presets.length > 0;
  // The tip the customer tapped on the customer display (README, customer display), if any.
  const [customerTip, setCustomerTip] = useState<Tip | null>(null);
  useEffect(() => till.on('displayChanged', (d) => setCustomerTip(d.customerTip)), [till]);

  useEffect(() => {
    const t = setTimeout(() => {
      void run(async () => setProducts((await till.searchCatalog({ query, limit: 500 })).products));
    }, 120);
    return () => clearTimeout(t);
  }, [till, run, query]);

  const categories = useMemo(
    () => [...new Set(products.map((p) => p.productType).filter((c): c is string => !!c))],
    [products],
  );
  const shown = category ? products.filter((p) => p.productType === category) : products;

  /** A receipt's QR scanned here: the sale it names, asked about before anything else. */
  const [returning, setReturning] = useState<SaleSummary | null>(null);
  const scan = useCallback(
    (code: string) => {
      setQuery('');
      // A scan while a quantity is typed is a scan: its digits are not the quantity.
      stopTyping();
      // A receipt ("sale:000042") is a return coming in, never a product: the cart is left alone.
      // A busy machine may space the scanner's first keys out: what counted as the burst is then the
      // tail of what the search field holds.
      const typed = searchRef.current?.value.trim() ?? '';
      const receipt = saleNumberFromCode(code) !== null ? code : typed.endsWith(code) ? typed : code;
      const saleNumber = saleNumberFromCode(receipt);
      if (saleNumber !== null) {
        void run(async () => {
          const sale = await findSaleByCode(till, receipt);
          if (!sale) return toast('bad', `No sale #${printedSaleNumber(saleNumber)} on this till.`);
          if (sale.state !== 'paid')
            return toast('bad', `Sale #${printedSaleNumber(saleNumber)} was never paid: nothing to return.`);
          setReturning(sale);
        });
        return;
      }
      void run(async () => {
        const r = await withConfirmation((confirmLarge) => till.scanBarcode({ code, confirmLarge }));
        if (!r) return;
        if (r.found) {
          setCart(r.cart);
          setFlash(r.line.lineId);
          setTimeout(() => setFlash(null), 900);
          toast('good', `Added ${r.line.title}${r.line.variantTitle ? ` — ${r.line.variantTitle}` : ''}`);
        } else {
          toast('bad', r.message);
        }
      });
    },
    [till, run, toast, stopTyping, withConfirmation],
  );
  // The keypad and the cash sheet take the keyboard themselves, scans included.
  useScanner(scan, {
    enabled:
      picking === null &&
      !cash &&
      mode === 'products' &&
      !large.open &&
      askingTip === null &&
      discounting === null &&
      returning === null &&
      !manager.open,
  });

  const add = (variantId: string) =>
    void run(async () => {
      const next = await withConfirmation((confirmLarge) => till.addToCart({ variantId, confirmLarge }));
      if (next) setCart(next);
      setPicking(null);
    });
  /** A cart change the till may ask about first; a "no" leaves the cart as it was. */
  const change = (command: (confirmLarge: boolean) => Promise<Cart>) =>
    void run(async () => {
      const next = await withConfirmation(command);
      if (next) setCart(next);
    });

  // One tap, one invoice: a second tap before the button shows "Creating invoice…" asks nothing.
  const backendState = status?.backend.state;
  useEffect(() => {
    let live = true;
    till.getOfflineCharge({}).then(
      (r) => live && setOfflineOffered(r.offered),
      () => live && setOfflineOffered(false),
    );
    return () => {
      live = false;
    };
  }, [till, backendState]);

  // The tip is in the link's amount: asked (or taken from the customer display) before it is signed.
  const chargeOffline = (tip: Tip | null = null) => {
    if (charged.current) return;
    charged.current = true;
    setCharging(true);
    void run(async () => {
      const c = await till.chargeOffline({ tip });
      onCharged(await till.getSale({ saleId: c.saleId }));
    }).finally(() => {
      charged.current = false;
      setCharging(false);
    });
  };

  const charge = (tip: Tip | null = null) => {
    if (charged.current) return;
    charged.current = true;
    setCharging(true);
    void run(async () => onCharged(await till.charge({ tip }))).finally(() => {
      charged.current = false;
      setCharging(false);
    });
  };

  /** Lightning, online or offline: the customer's tap on the display, else the tip sheet, else no tip. */
  const tipThen = (pay: 'charge' | 'offline') => {
    const go = pay === 'charge' ? charge : chargeOffline;
    if (!askTips) go(null);
    else if (customerTip) go(customerTip);
    else setAskingTip(pay);
  };

  const changeQuantity = (lineId: string, by: number) =>
    change((confirmLarge) => till.changeLineQuantity({ lineId, by, confirmLarge }));
  const setQuantity = (line: CartLine, text: string) => {
    if (typingLine.current !== line.lineId) return;
    stopTyping();
    const quantity = Number(text);
    if (text === '' || quantity === line.quantity) return;
    change((confirmLarge) => till.setLineQuantity({ lineId: line.lineId, quantity, confirmLarge }));
  };

  const takeCash = (tendered: bigint) =>
    run(async () => {
      const sale = await till.payCash({ tendered, tip: cashTip });
      setCash(false);
      onPaidCash(sale);
    });

  const lines = cart?.lines ?? [];
  return (
    <div className="register">
      <section className="catalog">
        <div className="catalog-bar">
          <input
            ref={searchRef}
            data-testid="catalog-search"
            className="search"
            type="search"
            placeholder="Search name, SKU or barcode"
            maxLength={MAX_LENGTH.search}
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (
                e.key === 'Enter' &&
                ((BARCODE.test(query.trim()) && /\d/.test(query)) || saleNumberFromCode(query) !== null)
              )
                scan(query.trim());
            }}
          />
          <div className="segmented">
            <button className={mode === 'products' ? 'active' : ''} onClick={() => setMode('products')}>
              Products
            </button>
            <button
              data-testid="keypad-tab"
              className={mode === 'keypad' ? 'active' : ''}
              onClick={() => setMode('keypad')}
            >
              Keypad
            </button>
          </div>
        </div>
        {mode === 'products' ? (
          <>
            <div className="chips">
              <button
                className={category === null ? 'chip active' : 'chip'}
                onClick={() => setCategory(null)}
              >
                All
              </button>
              {categories.map((c) => (
                <button
                  key={c}
                  className={category === c ? 'chip active' : 'chip'}
                  onClick={() => setCategory(c)}
                >
                  {c}
                </button>
              ))}
            </div>
            <div className="grid">
              {shown.map((p) => (
                <ProductTile
                  key={p.id}
                  product={p}
                  currency={currency}
                  onTap={() => (p.variants.length === 1 ? add(p.variants[0]!.id) : setPicking(p))}
                />
              ))}
              {shown.length === 0 &&
                (status?.catalogProblem && query === '' ? (
                  <div className="empty catalog-problem" role="alert">
                    {status.catalogProblem}
                  </div>
                ) : (
                  <div className="empty">No products match “{query}”.</div>
                ))}
            </div>
          </>
        ) : null}
        {/* Kept while the products show: Escape leaves the keypad without losing what was typed. */}
        <div className="keypad-pane" hidden={mode !== 'keypad'}>
          <Keypad
            currency={currency}
            active={mode === 'keypad' && picking === null && !cash && !large.open}
            onScan={scan}
            onClose={() => setMode('products')}
            onAdd={(amount, title) =>
              change((confirmLarge) => till.addCustomAmount({ amount, title, confirmLarge }))
            }
          />
        </div>
      </section>

      <aside className="cart">
        {onOpenShift && <ShiftNudge onOpenShift={onOpenShift} />}
        <div className="cart-head">
          <h2>Cart</h2>
          <HeldCarts cart={cart} onCart={setCart} />
          {lines.length > 0 && (
            <button
              data-testid="cart-note-button"
              className="btn ghost small"
              onClick={() => setNoting('cart')}
            >
              Note
            </button>
          )}
          {lines.length > 0 && (
            <button
              data-testid="cart-discount"
              className="btn ghost small"
              onClick={() => setDiscounting('cart')}
            >
              Discount
            </button>
          )}
          {lines.length > 0 && (
            <button
              className="btn ghost small"
              onClick={() => {
                if (confirm('Clear the whole cart?')) void run(async () => setCart(await till.clearCart()));
              }}
            >
              Clear
            </button>
          )}
        </div>
        <ul className="cart-lines">
          {lines.length === 0 && <li className="empty">Tap a product or scan a barcode.</li>}
          {lines.map((l) => (
            <li
              key={l.lineId}
              data-testid="cart-line"
              className={`cart-line ${flash === l.lineId ? 'flash' : ''} ${formatFiat(l.lineTotal, currency).length > 11 ? 'long' : ''}`}
            >
              <div className="line-text">
                <button
                  className="line-title-button"
                  data-testid="line-title"
                  aria-label={`${l.title}: discount`}
                  onClick={() => setDiscounting({ lineId: l.lineId })}
                >
                  <div className="line-title">{l.title}</div>
                </button>
                <div className="line-sub">
                  {l.variantTitle ? `${l.variantTitle} · ` : ''}
                  {formatFiat(l.unitPrice, currency)}
                </div>
                {l.discount && (
                  <div className="line-discount" data-testid="line-discount">
                    {describeDiscount(l.discount, currency)}
                  </div>
                )}
                {l.note && (
                  <button
                    className="line-note"
                    data-testid="line-note"
                    aria-label={`Note on ${l.title}: ${l.note}, tap to change`}
                    onClick={() => setNoting({ lineId: l.lineId })}
                  >
                    {l.note}
                  </button>
                )}
              </div>
              <div className="qty">
                <button aria-label={`One less ${l.title}`} onClick={() => changeQuantity(l.lineId, -1)}>
                  −
                </button>
                {typing?.lineId === l.lineId ? (
                  <input
                    className="qty-input"
                    data-testid="qty-input"
                    aria-label={`Quantity of ${l.title}`}
                    inputMode="numeric"
                    maxLength={4}
                    autoFocus
                    onFocus={(e) => e.currentTarget.select()}
                    value={typing.text}
                    onChange={(e) => setTyping({ lineId: l.lineId, text: e.target.value.replace(/\D/g, '') })}
                    onKeyDown={(e) => {
                      if (e.key === 'Enter') setQuantity(l, typing.text);
                      if (e.key === 'Escape') stopTyping();
                    }}
                    onBlur={() => setQuantity(l, typing.text)}
                  />
                ) : (
                  <button
                    className="qty-value"
                    data-testid="qty-value"
                    aria-label={`Quantity of ${l.title}: ${l.quantity}, tap to type`}
                    onClick={() => {
                      typingLine.current = l.lineId;
                      setTyping({ lineId: l.lineId, text: String(l.quantity) });
                    }}
                  >
                    {l.quantity}
                  </button>
                )}
                <button aria-label={`One more ${l.title}`} onClick={() => changeQuantity(l.lineId, 1)}>
                  +
                </button>
              </div>
              <div className="line-total" data-testid="line-total">
                {formatFiat(l.lineTotal, currency)}
              </div>
              <button
                className="remove"
                aria-label={`Remove ${l.title}`}
                onClick={() => void run(async () => setCart(await till.removeLine({ lineId: l.lineId })))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <div className="cart-foot">
          {cart?.note && lines.length > 0 && (
            <button className="cart-note" data-testid="cart-note" onClick={() => setNoting('cart')}>
              Note: {cart.note}
            </button>
          )}
          {cart && <CartBreakdown cart={cart} />}
          <div className="totals">
            <span>
              {cart?.itemCount ?? 0} {cart?.itemCount === 1 ? 'item' : 'items'}
            </span>
            <div className="total-figures">
              <strong data-testid="cart-total">{formatFiat(cart?.total ?? 0n, currency)}</strong>
              {cart?.estimatedMsat != null && cart.total > 0n && (
                <small>≈ {formatSats(cart.estimatedMsat)}</small>
              )}
            </div>
          </div>
          <div className="pay-buttons">
            <button
              data-testid="cash-button"
              className="btn cash-btn"
              disabled={lines.length === 0 || charging}
              onClick={() => {
                setCashTip(null);
                if (askTips) setAskingTip('cash');
                else setCash(true);
              }}
            >
              Cash
            </button>
            <button
              data-testid="charge-button"
              className="btn charge"
              disabled={lines.length === 0 || charging}
              onClick={() => tipThen('charge')}
            >
              {charging ? 'Creating invoice…' : `Charge ${formatFiat(cart?.total ?? 0n, currency)}`}
            </button>
            {offlineOffered && (
              <button
                data-testid="charge-offline-button"
                className="btn offline-btn"
                disabled={lines.length === 0 || charging}
                onClick={() => tipThen('offline')}
              >
                Lightning (offline)
              </button>
            )}
            {customerTip && askTips && (
              <button
                data-testid="customer-tip"
                className="btn"
                title="The customer chose this tip on the display; tap to ask again"
                onClick={() =>
                  void run(async () => setCustomerTip((await till.chooseTip({ tip: null })).customerTip))
                }
              >
                Tip{' '}
                {customerTip.kind === 'percentage'
                  ? `${customerTip.percent}%`
                  : formatFiat(customerTip.amount, currency)}{' '}
                (customer) ✕
              </button>
            )}
          </div>
        </div>
      </aside>

      {large.dialog}
      {cash && cart && (
        <CashSheet
          total={cart.total + (cashTip ? tipOn(cart.total, cashTip) : 0n)}
          currency={currency}
          maxChange={status?.settings.maxCashChange}
          onTake={takeCash}
          onClose={() => setCash(false)}
          onScan={() => toast('info', 'Close the cash sheet to scan more items.')}
        />
      )}
      {discounting && cart && (
        <DiscountSheet
          title={
            discounting === 'cart'
              ? 'the whole cart'
              : (lines.find((l) => l.lineId === discounting.lineId)?.title ?? 'this line')
          }
          currency={currency}
          current={
            discounting === 'cart'
              ? cart.discount
              : (lines.find((l) => l.lineId === discounting.lineId)?.discount ?? null)
          }
          onClose={() => setDiscounting(null)}
          {...(discounting === 'cart'
            ? {}
            : {
                onNote: () => {
                  setDiscounting(null);
                  setNoting(discounting);
                },
              })}
          onApply={(discount) =>
            run(async () => {
              const next = await manager.withManager((managerPin) =>
                discounting === 'cart'
                  ? till.setCartDiscount({ discount, managerPin })
                  : till.setLineDiscount({ lineId: discounting.lineId, discount, managerPin }),
              );
              if (!next) return;
              setCart(next);
              setDiscounting(null);
            })
          }
        />
      )}
      {noting && cart && (
        <NoteSheet
          title={
            noting === 'cart'
              ? 'the order'
              : (lines.find((l) => l.lineId === noting.lineId)?.title ?? 'this line')
          }
          current={
            noting === 'cart' ? cart.note : (lines.find((l) => l.lineId === noting.lineId)?.note ?? null)
          }
          maxLength={noting === 'cart' ? MAX_LENGTH.orderNote : MAX_LENGTH.lineNote}
          onClose={() => setNoting(null)}
          onSave={(note) =>
            run(async () => {
              setCart(
                noting === 'cart'
                  ? await till.setCartNote({ note })
                  : await till.setLineNote({ lineId: noting.lineId, note }),
              );
              setNoting(null);
            })
          }
        />
      )}
      {askingTip && cart && tips && (
        <TipSheet
          goods={cart.total}
          currency={currency}
          presets={tips.presets}
          onClose={() => setAskingTip(null)}
          onChoose={(tip) => {
            const next = askingTip;
            setAskingTip(null);
            if (next === 'charge') charge(tip);
            else if (next === 'offline') chargeOffline(tip);
            else {
              setCashTip(tip);
              setCash(true);
            }
          }}
        />
      )}
      {picking && (
        <Sheet label={`Choose ${picking.title}`} onClose={() => setPicking(null)}>
          <h2>{picking.title}</h2>
          <div className="variant-grid">
            {picking.variants.map((v) => (
              <button key={v.id} data-testid="variant-option" className="variant" onClick={() => add(v.id)}>
                <span>{v.title || picking.title}</span>
                <strong>{formatFiat(v.price, currency)}</strong>
              </button>
            ))}
          </div>
          <button className="btn ghost" onClick={() => setPicking(null)}>
            Cancel
          </button>
        </Sheet>
      )}
      {/* Last: the manager's PIN is asked over the sheet that needed it. */}
      {manager.dialog}
      {returning && (
        <ReturnPrompt
          sale={returning}
          onClose={() => setReturning(null)}
          onReturn={() => {
            setReturning(null);
            onReturnSale?.(returning.id);
          }}
        />
      )}
    </div>
  );
}

/** Under the lines: what came off, and the tax (added on top, or included), when there is any. */
function CartBreakdown({ cart }: { cart: Cart }) {
  const { totals, taxesIncluded } = cart.pricing;
  if (totals.discounts === 0n && totals.tax === 0n) return null;
  const money = (v: bigint) => formatFiat(v, cart.currency);
  return (
    <div className="cart-breakdown" data-testid="cart-breakdown">
      {totals.discounts > 0n && <span>Subtotal {money(totals.subtotal)}</span>}
      {totals.discounts > 0n && <span>Discounts −{money(totals.discounts)}</span>}
      {totals.tax > 0n && (
        <span>
          {taxesIncluded ? 'Tax included' : 'Tax'} {money(totals.tax)}
        </span>
      )}
    </div>
  );
}

function initials(title: string): string {
  return title
    .split(/\s+/)
    .slice(0, 2)
    .map((w) => w[0]?.toUpperCase() ?? '')
    .join('');
}

function ProductTile({
  product,
  currency,
  onTap,
}: {
  product: Product;
  currency: string;
  onTap: () => void;
}) {
  const prices = product.variants.map((v) => v.price);
  const min = prices.reduce((a, b) => (b < a ? b : a));
  const from = prices.some((p) => p !== min);
  return (
    <button
      data-testid="product-tile"
      data-product-id={product.id}
      data-variants={product.variants.length}
      className="tile"
      onClick={onTap}
    >
      {product.imageUrl ? (
        <img src={product.imageUrl} alt="" draggable={false} />
      ) : (
        <div className="placeholder">{initials(product.title)}</div>
      )}
      <div className="tile-text">
        <span className="tile-title">{product.title}</span>
        <span className="tile-price">
          {from ? 'from ' : ''}
          {formatFiat(min, currency)}
        </span>
      </div>
    </button>
  );
}
