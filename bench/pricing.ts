import { priceCart, type CartInput, type LineInput, type TaxRate } from '../shared/pricing/index.js';
import { mulberry32 } from '../shared/random.js';
import { ratio, summarize, time, type Summary } from './stats.js';

/**
 * Pricing a 200-line cart (issue 12): mixed rates, taxable and untaxed lines, line discounts of
 * both kinds, a cart discount shared over every line and a tip, priced `n` times, beside a plain
 * sum of the same lines' unit price × quantity in the same run. It must stay far below a frame.
 */
const FRAME_MS = 16;
const RATES: TaxRate[] = [
  { title: 'VAT 20%', percent: '20' },
  { title: 'Reduced 5.5%', percent: '5.5' },
  { title: 'Reduced 10%', percent: '10' },
  { title: 'Super-reduced 2.1%', percent: '2.1' },
];

export function benchCart(lineCount: number, seed: number): CartInput {
  const rand = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const lines = Array.from({ length: lineCount }, (_, i): LineInput => ({
    lineId: `line-${i}`,
    unitPrice: BigInt(50 + Math.floor(rand() * 20_000)),
    quantity: 1 + Math.floor(rand() * 5),
    taxable: rand() > 0.1,
    taxRate: pick(RATES),
    discount:
      rand() < 0.2
        ? { kind: 'percentage', percent: pick(['5', '10', '12.5', '33']), reason: 'bench' }
        : rand() < 0.1
          ? { kind: 'fixed', amount: BigInt(Math.floor(rand() * 500)), reason: 'bench' }
          : null,
  }));
  return {
    currency: 'EUR',
    taxesIncluded: true,
    lines,
    cartDiscount: { kind: 'percentage', percent: '7.5', reason: 'bench' },
    tip: { kind: 'percentage', percent: '10' },
    tipTaxRate: null,
  };
}

export async function benchPricing(n: number): Promise<{
  lines: number;
  price_cart: Summary;
  baseline_plain_sum: Summary;
  ratio_p50: number;
  p95_below_a_frame: boolean;
}> {
  const cart = benchCart(200, 20261127);
  let sink = 0n;
  const priced = await time(n, () => {
    sink += priceCart(cart).totals.total;
  });
  const plain = await time(n, () => {
    sink += cart.lines.reduce((a, l) => a + l.unitPrice * BigInt(l.quantity), 0n);
  });
  if (sink < 0n) throw new Error('unreachable: keeps the work from being optimised away');
  const price_cart = summarize(priced);
  const baseline_plain_sum = summarize(plain);
  return {
    lines: cart.lines.length,
    price_cart,
    baseline_plain_sum,
    ratio_p50: ratio(price_cart, baseline_plain_sum),
    p95_below_a_frame: price_cart.p95_ms < FRAME_MS,
  };
}
