/** The steps of the sale path the crash child takes, each a place the crash test kills it. */
export const SALE_STEPS = [
  'add to cart',
  'custom amount',
  'change quantity',
  'remove line',
  'pay cash',
  'charge',
  'customer pays',
  'lookup',
  'demo pay',
  'cancel',
  'customer pays late',
] as const;
export type SaleStep = (typeof SALE_STEPS)[number];
