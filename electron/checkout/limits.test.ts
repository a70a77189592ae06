import { signedInTill } from '../test-support/till-calls.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Product } from '../../shared/domain/index.js';
import { RateError } from '../rates/public-sources.js';
import type { RateSource } from '../rates/source.js';
import { keypadOnlyResources, manualClock, RESOURCES_DIR, tempDir } from '../test-support/fixtures.js';
import { call, refused } from '../test-support/till-calls.js';
import type { Till } from '../till.js';

/**
 * Limits a careless finger cannot pass, held by the till (never only the screen): the demo shop
 * sells in USD, so the defaults are $1,000 (confirm) and $10,000 (refuse) a line, $2,000 and
 * $20,000 a sale, at most $500 change.
 */
describe('amount limits and the manual-rate band, through till.invoke', () => {
  let dir: ReturnType<typeof tempDir>;
  let clock: ReturnType<typeof manualClock>;
  let exchangeUp: boolean;
  let till: Till;

  const exchange = (): RateSource => ({
    id: 'test',
    label: 'Test exchange',
    quote: (currency) =>
      exchangeUp
        ? Promise.resolve({
            currency,
            rate: '100000',
            source: 'Test exchange',
            fetchedAt: clock.now().toISOString(),
          })
        : Promise.reject(new RateError('Test exchange did not answer in time')),
  });

  const open = (resourcesDir = RESOURCES_DIR) =>
    signedInTill({
      dataDir: dir.path,
      resourcesDir,
      now: clock.now,
      timers: false,
      rateSource: exchange,
      log: () => undefined,
    });

  beforeEach(async () => {
    dir = tempDir();
    clock = manualClock();
    exchangeUp = true;
    till = await open();
  });

  afterEach(async () => {
    await till.close();
    dir.remove();
  });

  async function cheapest(): Promise<{ product: Product; variantId: string; price: bigint }> {
    const { products } = await call(till, 'searchCatalog', {});
    const product = products.find((p) => p.variants.length === 1 && p.variants[0]!.barcode !== null)!;
    return { product, variantId: product.variants[0]!.id, price: product.variants[0]!.price };
  }

  const total = async () => (await call(till, 'getCart')).total;

  describe('a keypad amount', () => {
    it('above the soft line limit is asked about, and added once confirmed', async () => {
      const asked = await refused(till, 'addCustomAmount', { amount: 100_001n });
      expect(asked).toMatchObject({
        kind: 'NeedsConfirmation',
        message: 'This is $1,000.01 — is that right?',
      });
      expect(await total()).toBe(0n);
      await call(till, 'addCustomAmount', { amount: 100_000n });
      expect(await total()).toBe(100_000n);
      await call(till, 'clearCart');
      expect((await call(till, 'addCustomAmount', { amount: 100_001n, confirmLarge: true })).total).toBe(
        100_001n,
      );
    });

    it('above the hard line limit is refused even when confirmed: no 100,000 BTC invoice', async () => {
      for (const amount of [1_000_001n, 999_999_999_999n]) {
        const error = await refused(till, 'addCustomAmount', { amount, confirmLarge: true });
        expect(error.kind).toBe('ValidationError');
        expect(error.message).toMatch(/more than one line may be on this till \(\$10,000\.00\)/);
      }
      expect(await total()).toBe(0n);
      expect((await refused(till, 'charge', {})).message).toMatch(/cart is empty/);
    });

    it('that takes the sale past the soft sale limit is asked about once, not for each line after', async () => {
      await call(till, 'addCustomAmount', { amount: 90_000n });
      await call(till, 'addCustomAmount', { amount: 90_000n });
      const asked = await refused(till, 'addCustomAmount', { amount: 90_000n });
      expect(asked).toMatchObject({
        kind: 'NeedsConfirmation',
        message: 'This sale comes to $2,700.00 — is that right?',
      });
      expect(await total()).toBe(180_000n);
      await call(till, 'addCustomAmount', { amount: 90_000n, confirmLarge: true });
      await call(till, 'addCustomAmount', { amount: 10_000n });
      expect(await total()).toBe(280_000n);
    });

    it('that takes the sale past the hard sale limit is refused even when confirmed', async () => {
      for (let i = 0; i < 2; i++)
        await call(till, 'addCustomAmount', { amount: 900_000n, confirmLarge: true });
      const error = await refused(till, 'addCustomAmount', { amount: 900_000n, confirmLarge: true });
      expect(error.kind).toBe('ValidationError');
      expect(error.message).toMatch(
        /make the sale \$27,000\.00, more than one sale may be on this till \(\$20,000\.00\)/,
      );
      expect(await total()).toBe(1_800_000n);
    });
  });

  describe('a quantity', () => {
    it('that pushes a line over is asked about (addToCart, setLineQuantity), and refused past the hard limit', async () => {
      const { variantId, price } = await cheapest();
      const overSoft = Number(100_000n / price) + 1;
      const asked = await refused(till, 'addToCart', { variantId, quantity: overSoft });
      expect(asked.kind).toBe('NeedsConfirmation');
      expect(asked.message).toContain(`This is $`);
      expect(await total()).toBe(0n);
      const cart = await call(till, 'addToCart', { variantId });
      const lineId = cart.lines[0]!.lineId;
      expect((await refused(till, 'setLineQuantity', { lineId, quantity: overSoft })).kind).toBe(
        'NeedsConfirmation',
      );
      expect(await total()).toBe(price);
      await call(till, 'setLineQuantity', { lineId, quantity: overSoft, confirmLarge: true });
      expect(await total()).toBe(price * BigInt(overSoft));
      const overHard = Number(1_000_000n / price) + 1;
      const error = await refused(till, 'setLineQuantity', {
        lineId,
        quantity: overHard,
        confirmLarge: true,
      });
      expect(error).toMatchObject({ kind: 'ValidationError' });
      expect(error.message).toMatch(/more than one line may be on this till/);
      expect(
        (await refused(till, 'addToCart', { variantId, quantity: overHard, confirmLarge: true })).kind,
      ).toBe('ValidationError');
      // Taking items off is never refused or asked about, even above limits lowered since.
      await call(till, 'updateSettings', { lineSoftLimit: price, lineHardLimit: price * 2n });
      expect((await call(till, 'setLineQuantity', { lineId, quantity: overSoft - 1 })).total).toBe(
        price * BigInt(overSoft - 1),
      );
      expect((await call(till, 'setLineQuantity', { lineId, quantity: 1 })).total).toBe(price);
    });

    it('a scan that takes the sale over is asked about, and adds once confirmed', async () => {
      const { product } = await cheapest();
      const code = product.variants[0]!.barcode!;
      await call(till, 'addCustomAmount', { amount: 100_000n });
      await call(till, 'addCustomAmount', { amount: 100_000n });
      const asked = await refused(till, 'scanBarcode', { code });
      expect(asked).toMatchObject({ kind: 'NeedsConfirmation' });
      expect(asked.message).toMatch(/^This sale comes to \$2,0\d\d\.\d\d — is that right\?$/);
      expect(await total()).toBe(200_000n);
      const scanned = await call(till, 'scanBarcode', { code, confirmLarge: true });
      expect(scanned.found && scanned.cart.lines).toHaveLength(3);
    });
  });

  describe('charging and cash', () => {
    it('refuse a sale above the hard limit even when the limit was lowered after the cart was rung up', async () => {
      await call(till, 'addCustomAmount', { amount: 150_000n, confirmLarge: true });
      await call(till, 'updateSettings', { saleSoftLimit: 50_000n, saleHardLimit: 100_000n });
      for (const [name, input] of [
        ['charge', {}],
        ['payCash', { tendered: 150_000n }],
      ] as const) {
        const error = await refused(till, name, input);
        expect(error.kind).toBe('ValidationError');
        expect(error.message).toMatch(
          /This sale is \$1,500\.00, more than one sale may be on this till \(\$1,000\.00\)/,
        );
      }
      expect((await call(till, 'listSales', {})).sales).toHaveLength(0);
    });

    it('refuses cash handed over absurdly above the total, with the change it would give', async () => {
      await call(till, 'addCustomAmount', { amount: 800n });
      for (const tendered of [999_999_999_999n, 800n + 50_001n]) {
        const error = await refused(till, 'payCash', { tendered });
        expect(error.kind).toBe('ValidationError');
        expect(error.message).toMatch(
          /handed over for \$8\.00 would be .* change, more than this till gives \(\$500\.00\)/,
        );
      }
      expect((await call(till, 'getCart')).total).toBe(800n);
      const sale = await call(till, 'payCash', { tendered: 800n + 50_000n });
      expect(sale).toMatchObject({ state: 'paid', cashTendered: 50_800n });
    });
  });

  describe('the limits in Settings', () => {
    it('are kept across a restart, refuse a soft limit above its hard one, and follow a currency change', async () => {
      await call(till, 'updateSettings', {
        lineSoftLimit: 5_000n,
        lineHardLimit: 20_000n,
        maxCashChange: 2_000n,
      });
      const bad = await refused(till, 'updateSettings', { saleSoftLimit: 3_000_000n });
      expect(bad.kind).toBe('ValidationError');
      expect(bad.message).toBe('Ask to confirm at or below the amount a sale is refused at');
      const zero = await refused(till, 'updateSettings', { lineHardLimit: 0n });
      expect(zero.message).not.toMatch(/lineHardLimit|Invalid input/);
      await till.close();
      till = await open();
      expect(await call(till, 'getSettings')).toMatchObject({
        lineSoftLimit: 5_000n,
        lineHardLimit: 20_000n,
        saleSoftLimit: 200_000n,
        saleHardLimit: 2_000_000n,
        maxCashChange: 2_000n,
        manualRateBandPercent: 10,
      });
      expect((await refused(till, 'addCustomAmount', { amount: 5_001n })).kind).toBe('NeedsConfirmation');
      // Only a till without products changes currency (electron/checkout/currency.ts).
      await till.close();
      const keypadOnly = keypadOnlyResources();
      dir.remove();
      dir = tempDir();
      till = await open(keypadOnly.path);
      keypadOnly.remove();
      await call(till, 'updateSettings', { lineSoftLimit: 5_000n, lineHardLimit: 20_000n });
      // Cents to yen: $50.00 becomes ¥50, not ¥5,000.
      expect(await call(till, 'updateSettings', { currency: 'JPY' })).toMatchObject({
        currency: 'JPY',
        lineSoftLimit: 50n,
        lineHardLimit: 200n,
        saleHardLimit: 20_000n,
      });
    });
  });

  describe('a manager’s rate', () => {
    /** The exchange goes quiet and the last quote goes stale: a charge needs the manager's rate. */
    async function staleQuote() {
      exchangeUp = false;
      clock.advance(11 * 60_000);
      await call(till, 'addCustomAmount', { amount: 1_000n });
      expect((await refused(till, 'charge', {})).kind).toBe('RateUnavailable');
    }

    it('within the band of the last quote is saved at once, with the sats shown before', async () => {
      const preview = await call(till, 'previewManualRate', { rate: '95000' });
      expect(preview).toMatchObject({
        currency: 'USD',
        reference: 1_000n,
        msat: 10_527_000n,
        last: { rate: '100000', source: 'Test exchange', msat: 10_000_000n },
        differencePercent: 5,
        bandPercent: 10,
        token: null,
      });
      await staleQuote();
      await call(till, 'setManualRate', { rate: '95000' });
      expect((await call(till, 'charge')).invoice!.rate).toMatchObject({
        rate: '95000',
        source: 'Manual rate',
      });
    });

    it('outside the band is refused without confirmation, still refused after one, and saved after two', async () => {
      const preview = await call(till, 'previewManualRate', { rate: '5' });
      expect(preview).toMatchObject({
        differencePercent: 100,
        msat: 200_000_000_000n,
        last: { msat: 10_000_000n },
      });
      expect(preview.token).toEqual(expect.any(String));
      await staleQuote();
      const bare = await refused(till, 'setManualRate', { rate: '5' });
      expect(bare.kind).toBe('ValidationError');
      expect(bare.message).toMatch(
        /5 USD\/BTC is 100% away from the last quote \(100,000 USD\/BTC, Test exchange\): check it, then confirm it twice/,
      );
      // The refusal spent the warning: its token no longer passes.
      expect((await refused(till, 'setManualRate', { rate: '5', token: preview.token })).kind).toBe(
        'ValidationError',
      );

      const { token } = await call(till, 'previewManualRate', { rate: '5' });
      expect((await refused(till, 'setManualRate', { rate: '6', token })).kind).toBe('ValidationError');
      await call(till, 'previewManualRate', { rate: '5' });
      expect((await refused(till, 'setManualRate', { rate: '5', token: 'made-up' })).kind).toBe(
        'ValidationError',
      );
      const { token: fresh } = await call(till, 'previewManualRate', { rate: '5' });
      const second = await refused(till, 'setManualRate', { rate: '5', token: fresh });
      expect(second.kind).toBe('NeedsConfirmation');
      expect(second.message).toBe(
        'Are you sure? At this rate $10.00 is 200,000,000 sats instead of 10,000 sats at the last quote.',
      );
      expect((await refused(till, 'charge', {})).kind).toBe('RateUnavailable');
      await call(till, 'setManualRate', { rate: '5', token: fresh });
      expect((await call(till, 'charge')).invoice!.rate).toMatchObject({ rate: '5', source: 'Manual rate' });
    });

    it('with no quote at all says so and needs the double confirmation; the band is a setting', async () => {
      exchangeUp = false;
      await till.close();
      till = await open();
      const preview = await call(till, 'previewManualRate', { rate: '97000' });
      expect(preview).toMatchObject({ last: null, differencePercent: null });
      expect(typeof preview.token).toBe('string');
      expect((await refused(till, 'setManualRate', { rate: '97000' })).message).toMatch(
        /no quote to compare/,
      );
      // A warning stands for ten minutes: after that the rate is checked again.
      const { token: old } = await call(till, 'previewManualRate', { rate: '97000' });
      clock.advance(11 * 60_000);
      expect((await refused(till, 'setManualRate', { rate: '97000', token: old })).kind).toBe(
        'ValidationError',
      );
      const { token } = await call(till, 'previewManualRate', { rate: '97000' });
      expect((await refused(till, 'setManualRate', { rate: '97000', token })).kind).toBe('NeedsConfirmation');
      await call(till, 'setManualRate', { rate: '97000', token });

      exchangeUp = true;
      await till.close();
      till = await open();
      await call(till, 'updateSettings', { manualRateBandPercent: 3 });
      expect((await call(till, 'previewManualRate', { rate: '95000' })).token).not.toBeNull();
      expect((await refused(till, 'setManualRate', { rate: '95000' })).kind).toBe('ValidationError');
    });
  });
});
