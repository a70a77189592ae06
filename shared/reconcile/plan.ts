import { EXPONENT_EXCEPTIONS, MSAT_PER_BTC, MSAT_PER_SAT } from '../money/index.js';
import { Outcome, Repair, SAFE_REPAIRS } from './types.js';

/**
 * The reconciliation as SQL (DuckDB dialect): the same classification as classify.ts, written
 * as joins and window functions so DuckDB runs it on every core, out of core when it must.
 * classify.ts stays the reference; runner.test.ts checks the two agree item for item.
 *
 * Layout. One table per source (`node_invoices`, `journal_sales`, `shopify_orders`, and the
 * refunds'), each with `seq`, the order the source listed its records in (the reference's
 * tie-breaker). classifyStatements runs in steps: what a window or an aggregate must compute
 * once is written to a narrow temporary table (SOURCE_STAGES: the invoice each hash stands for,
 * a repeated sale key's ranks, each order's owner and place), then each kind of item is appended
 * to `items` (a sale, a second order of a sale, an order no sale owns, a payment no sale names,
 * the refunds'), each its own statement so only its own operators hold memory; RESULTS_SQL
 * numbers them into `results`. The sales' joins with their invoices and orders run inside the
 * statement that classifies them (one pass), or, when that outgrows the memory limit, in steps
 * of their own (JOIN_STEPS). A window sorts only the few rows whose key repeats (paid twice,
 * second orders); the rest are rank 1. A new source is one more table, one more stage and one
 * more kind of item. Every table is temporary: a run rebuilds them all from its sources.
 *
 * Join keys (classify.ts): an invoice → its hash; a Lightning sale with a hash → that hash, any
 * other sale → `s:<saleId>`; an order → its payment_hash attribute, else `s:<saleId>`, else
 * `o:<orderId>`. A payment hash is hex, so it never collides with the `s:`/`o:` keys.
 *
 * Money is exact: msat and minor units are BIGINT; the fiat check at the locked rate is done in
 * HUGEINT (128 bits) with integer division (`//`), never a DOUBLE. HUGEINT holds
 * msat (< 2.1e18) × rate digits × 10^exponent for any rate up to 10^14 units.
 */

/**
 * The sources, as temporary tables: they are read again on every run, so they need no place in
 * the database file nor its write-ahead log (measured: appending 200,000 sales to a file's table
 * took 1.7 s, to a temporary one 1.2 s). Under the memory limit DuckDB spills them to its temp
 * directory like any other data. `results` too (RESULTS_SQL): it lasts as long as the till runs.
 */
export const SCHEMA_SQL = `
CREATE TEMP TABLE IF NOT EXISTS node_invoices (
  seq BIGINT NOT NULL, payment_hash VARCHAR NOT NULL, amount_msat BIGINT NOT NULL, amount_paid_msat BIGINT,
  state VARCHAR NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, settled_at BIGINT,
  till VARCHAR
);
CREATE TEMP TABLE IF NOT EXISTS journal_sales (
  seq BIGINT NOT NULL, sale_id VARCHAR NOT NULL, number BIGINT NOT NULL, payment_hash VARCHAR,
  tender VARCHAR NOT NULL, state VARCHAR NOT NULL, total BIGINT NOT NULL, currency VARCHAR NOT NULL,
  amount_paid_msat BIGINT, rate VARCHAR, rate_source VARCHAR, paid_at BIGINT, paid_late BOOLEAN NOT NULL,
  order_name VARCHAR, net BIGINT NOT NULL, tax BIGINT NOT NULL, tip BIGINT NOT NULL, discounts BIGINT NOT NULL,
  offline VARCHAR
);
CREATE TEMP TABLE IF NOT EXISTS shopify_orders (
  seq BIGINT NOT NULL, order_id VARCHAR NOT NULL, name VARCHAR NOT NULL, sale_id VARCHAR,
  total BIGINT NOT NULL, currency VARCHAR NOT NULL, payment_hash VARCHAR, till VARCHAR
);
CREATE TEMP TABLE IF NOT EXISTS refund_wallet_payments (
  seq BIGINT NOT NULL, payment_hash VARCHAR NOT NULL, amount_msat BIGINT NOT NULL, paid_at BIGINT NOT NULL
);
CREATE TEMP TABLE IF NOT EXISTS journal_refunds (
  seq BIGINT NOT NULL, refund_id VARCHAR NOT NULL, sale_id VARCHAR NOT NULL, state VARCHAR NOT NULL,
  tender VARCHAR NOT NULL, payment_hash VARCHAR, amount_msat BIGINT, amount BIGINT NOT NULL,
  currency VARCHAR NOT NULL, paid_at BIGINT, updated_at BIGINT NOT NULL
);
CREATE TEMP TABLE IF NOT EXISTS shopify_refunds (
  seq BIGINT NOT NULL, refund_id VARCHAR NOT NULL, order_id VARCHAR NOT NULL, order_name VARCHAR NOT NULL,
  till_refund_id VARCHAR, total BIGINT NOT NULL, currency VARCHAR NOT NULL, created_at BIGINT NOT NULL
);
`;

/**
 * Several tills on one node and one store: before classifying, drop the invoices and orders
 * that are not this till's (\$till), so other tills' sales and unrelated payments to the node
 * never show up as "paid on node, no sale". An invoice or order is this till's when it is marked
 * with its id, or when one of its journal's sales names it (an invoice made before tills marked
 * theirs, an order of a sale). Returns how many it dropped, per source.
 */
export const KEEP_TILL_SQL = [
  `DELETE FROM node_invoices i WHERE i.till IS DISTINCT FROM $till AND NOT EXISTS
     (SELECT 1 FROM journal_sales s WHERE s.payment_hash = i.payment_hash)`,
  `DELETE FROM shopify_orders o WHERE o.till IS DISTINCT FROM $till AND NOT EXISTS
     (SELECT 1 FROM journal_sales s WHERE s.sale_id = o.sale_id OR s.payment_hash = o.payment_hash)`,
] as const;

/** The source tables, in the column order of SCHEMA_SQL (the appender fills them by position). */
export const SOURCE_TABLES = [
  'node_invoices',
  'journal_sales',
  'shopify_orders',
  'refund_wallet_payments',
  'journal_refunds',
  'shopify_refunds',
] as const;

const lit = (s: string): string => `'${s.replaceAll("'", "''")}'`;
/** Sorts a settled invoice's seq before any unsettled one's (seq stays far below it). */
const PICK_OFFSET = 2n ** 62n;

const byExponent = new Map<number, string[]>();
for (const [c, e] of Object.entries(EXPONENT_EXCEPTIONS))
  byExponent.set(e, [...(byExponent.get(e) ?? []), lit(c)]);
const exponentCases = [...byExponent]
  .map(([e, currencies]) => `WHEN c IN (${currencies.join(', ')}) THEN ${e}`)
  .join(' ');

/** Exact helpers. `n` is never negative here (msat, positive rates), so `//` is a floor. */
export const MACROS_SQL = `
CREATE OR REPLACE TEMP MACRO pow10(n) AS CAST('1' || repeat('0', CAST(n AS INTEGER)) AS HUGEINT);
CREATE OR REPLACE TEMP MACRO div_up(n, d) AS (n + d - 1) // d;
-- money/index.ts exponentOf, as one CASE (a lookup per row in a subquery cost seconds per export).
CREATE OR REPLACE TEMP MACRO exponent_of(c) AS CASE ${exponentCases} ELSE 2 END;
-- money/index.ts fiatToDecimalString: minor units as a decimal string of the currency.
CREATE OR REPLACE TEMP MACRO fiat_digits(amount, e) AS
  CASE WHEN e = 0 THEN CAST(abs(amount) AS VARCHAR)
       ELSE CAST(abs(amount) // pow10(e) AS VARCHAR) || '.'
            || lpad(CAST(abs(amount) % pow10(e) AS VARCHAR), e, '0') END;
CREATE OR REPLACE TEMP MACRO fiat_text(amount, c) AS
  CASE WHEN amount IS NULL OR c IS NULL THEN NULL
       ELSE CASE WHEN amount < 0 THEN '-' ELSE '' END || fiat_digits(amount, exponent_of(c)) END;
-- A text a spreadsheet would read as a formula (leading = + - @, not a number) is defused.
CREATE OR REPLACE TEMP MACRO defuse(x) AS
  CASE WHEN left(x, 1) NOT IN ('-', '=', '+', '@') OR regexp_matches(x, '^-?[0-9]') THEN x ELSE '''' || x END;
CREATE OR REPLACE TEMP MACRO sats(m) AS
  CASE WHEN m % ${MSAT_PER_SAT} = 0 THEN CAST(m // ${MSAT_PER_SAT} AS VARCHAR) || ' sat'
       ELSE CAST(m AS VARCHAR) || ' msat' END;
`;

/**
 * The branches of classify.ts, in its order of precedence. Each names its outcome and repair;
 * its detail is built in `detailSql`. A `Record` so a new outcome has to be placed here.
 */
const BRANCHES = {
  paid_twice: [Outcome.PaidTwice, Repair.ResolveDuplicate],
  offline_unproven: [Outcome.OfflineUnproven, Repair.AwaitOfflineProof],
  offline_no_payment: [Outcome.OfflineNoPayment, Repair.InvestigateSale],
  no_settled_invoice: [Outcome.SalePaidNoSettledInvoice, Repair.InvestigateSale],
  settled_late_unpaid: [Outcome.PaidAfterExpiry, Repair.RecordLatePayment],
  settled_unpaid: [Outcome.PaidOnNodeNoSale, Repair.RecordPayment],
  amount_mismatch: [Outcome.AmountMismatch, Repair.ReviewAmount],
  late_not_journaled: [Outcome.PaidAfterExpiry, Repair.RecordLatePayment],
  not_paid: [Outcome.Matched, Repair.None],
  order_for_unpaid: [Outcome.OrderWithoutSale, Repair.ReviewOrder],
  matched_no_store: [Outcome.Matched, Repair.None],
  queue_order: [Outcome.SaleWithoutOrder, Repair.QueueOrder],
  recreate_order: [Outcome.SaleWithoutOrder, Repair.RecreateOrder],
  order_total_differs: [Outcome.OrderTotalDiffers, Repair.CorrectOrder],
  matched: [Outcome.Matched, Repair.None],
  second_order: [Outcome.PaidTwice, Repair.ResolveDuplicate],
  order_without_sale: [Outcome.OrderWithoutSale, Repair.ReviewOrder],
  orphan_payment: [Outcome.PaidOnNodeNoSale, Repair.InvestigatePayment],
  // Refunds (classify.ts classifyRefunds / refundItem), in its order.
  refund_wallet_unrecorded: [Outcome.RefundPaidNotRecorded, Repair.ReviewRefund],
  refund_shopify_unpaid: [Outcome.RefundRecordedNotPaid, Repair.ReviewRefund],
  refund_paid_while_paying: [Outcome.RefundPaidNotRecorded, Repair.ReviewRefund],
  refund_stuck_paying: [Outcome.RefundRecordedNotPaid, Repair.ReviewRefund],
  refund_not_paid: [Outcome.RefundRecordedNotPaid, Repair.ReviewRefund],
  refund_wallet_amount: [Outcome.RefundAmountMismatch, Repair.ReviewAmount],
  refund_missing_in_shopify: [Outcome.RefundMissingInShopify, Repair.ReviewRefund],
  refund_shopify_amount: [Outcome.RefundAmountMismatch, Repair.ReviewAmount],
  refund_matched: [Outcome.RefundMatched, Repair.None],
  second_refund: [Outcome.PaidTwice, Repair.ResolveDuplicate],
  shopify_refund_unrecorded: [Outcome.RefundPaidNotRecorded, Repair.ReviewRefund],
  wallet_payment_unrecorded: [Outcome.RefundPaidNotRecorded, Repair.ReviewRefund],
} as const satisfies Record<string, readonly [Outcome, Repair]>;
type Branch = keyof typeof BRANCHES;

const caseOf = (f: (b: Branch) => string, branches: readonly string[] = Object.keys(BRANCHES)): string =>
  `CASE branch ${branches.map((b) => `WHEN ${lit(b)} THEN ${f(b as Branch)}`).join(' ')} END`;

type SaleBranch = Exclude<Branch, RefundBranch>;
type RefundBranch = keyof typeof REFUND_DETAIL;

/** The text classify.ts writes for each refund branch (the refund arm's columns). */
const REFUND_DETAIL = {
  refund_wallet_unrecorded: `'paid by the refund wallet; the refund is ' || state`,
  refund_shopify_unpaid: `'refunded in Shopify; the refund is ' || state`,
  refund_paid_while_paying: lit('paid by the refund wallet; the refund is still paying'),
  refund_stuck_paying: `CASE WHEN checked THEN 'stuck paying; the refund wallet has no such payment' ELSE 'stuck paying; the refund wallet could not be checked' END`,
  refund_not_paid: lit('journaled paid; the refund wallet has no such payment'),
  refund_wallet_amount: `'wallet paid ' || sats(p_amount) || ', journal says ' || sats(amount_msat)`,
  refund_missing_in_shopify: lit('paid; no refund in Shopify'),
  refund_shopify_amount: `'Shopify refunded ' || s_total || ' ' || s_currency || ', journal says ' || amount || ' ' || currency || ' (minor units)'`,
  refund_matched: `CASE WHEN unchecked_lightning THEN 'the refund wallet could not be checked' WHEN s_id IS NULL AND orders_expected THEN 'paid; not in Shopify yet (grace period)' ELSE '' END`,
  second_refund: lit('a second Shopify refund for one refund'),
  shopify_refund_unrecorded: lit('refunded in Shopify; no refund in the journal'),
  wallet_payment_unrecorded: lit('paid by the refund wallet; no refund names it'),
} as const;

/** The text classify.ts writes for each branch (same words, same figures). */
const DETAIL: Record<SaleBranch, string> = {
  paid_twice: lit('another paid sale already claims this payment'),
  offline_unproven: lit('paid offline, PIN checked; the companion server has not confirmed the payment yet'),
  offline_no_payment: lit('paid offline, PIN checked; the companion server has no payment for its link'),
  no_settled_invoice: `'marked paid but ' || CASE WHEN i_state IS NULL OR NOT claims THEN 'the node does not list its invoice' ELSE 'the node says ' || i_state END`,
  settled_late_unpaid: `'settled after expiry; sale is ' || state`,
  settled_unpaid: `'settled on the node; sale is ' || state`,
  amount_mismatch: 'mismatch',
  late_not_journaled: lit('settled after expiry, not journaled as late'),
  not_paid: `'not paid (' || state || '); nothing owed'`,
  order_for_unpaid: `'order exists but the sale is ' || state`,
  matched_no_store: lit(''),
  queue_order: lit('paid; never sent to Shopify'),
  recreate_order: `'the till created ' || order_name || '; Shopify no longer has it'`,
  order_total_differs: `'order ' || o_total || ' ' || o_currency || ', sale ' || total || ' ' || currency || ' (minor units)'`,
  matched: lit(''),
  second_order: `'a second Shopify order for sale #' || number`,
  order_without_sale: lit('no sale in the journal for this order'),
  orphan_payment: lit('settled on the node; no sale names it'),
};

/** Columns of every result row, in ReconcileResult's order (plus `branch`, dropped at the end). */
const RESULT_COLUMNS = `branch, sale_id, sale_number, payment_hash, order_id, order_name, tender, sale_state,
  time, msat, fiat, currency, rate, rate_source, net, tax, tip, discounts, detail`;

/**
 * What the steps share, as CTEs each statement inlines (never materialised: DuckDB streams them).
 * A sale with its join key and its rank within the key (sale_rank holds only the repeats' ranks);
 * an order with its key, owner and place among its owner's orders (order_rank, narrow).
 */
const SALE_KEY_SQL = `CASE WHEN tender = 'lightning' AND payment_hash IS NOT NULL THEN payment_hash ELSE 's:' || sale_id END`;
const ORDER_KEY_SQL = `coalesce(payment_hash, 's:' || sale_id, 'o:' || order_id)`;
const SALE_CTE = `sale AS NOT MATERIALIZED (
  SELECT s.*, tender = 'lightning' AND payment_hash IS NOT NULL AS lightning, ${SALE_KEY_SQL} AS k,
         coalesce(r.rank, 1) AS rank
  FROM journal_sales s LEFT JOIN sale_rank r ON r.seq = s.seq
)`;
const ORDER_OWNED_CTE = `order_owned AS NOT MATERIALIZED (
  SELECT o.*, ${ORDER_KEY_SQL} AS k,
         r.owner_rank, r.nth
  FROM shopify_orders o JOIN order_rank r ON r.seq = o.seq
)`;

/**
 * A sale with its invoice (claimed by the first Lightning sale of its key) and its first order,
 * the sale CTE's rows with their invoice, then with their order. In one pass, both joins read in
 * the statement that classifies: fast, but their hash tables are held at once.
 */
const SALE_INVOICE_SQL = `SELECT s.*, i.* EXCLUDE (k), i.k IS NOT NULL AS has_invoice,
         s.lightning AND s.rank = 1 AND i.k IS NOT NULL AS claims
  FROM sale s LEFT JOIN invoice i ON i.k = s.k`;
const SALE_ORDER_SQL = (
  sales: string,
): string => `SELECT s.*, o.seq IS NOT NULL AS has_order, o.order_id AS o_id,
         o.name AS o_name, o.total AS o_total, o.currency AS o_currency
  FROM ${sales} s
  LEFT JOIN (SELECT seq, k, owner_rank, order_id, name, total, currency FROM order_owned WHERE nth = 1) o
    ON o.k = s.k AND o.owner_rank = s.rank`;
const SALE_JOINED_SQL = SALE_ORDER_SQL(`(${SALE_INVOICE_SQL})`);

/**
 * In steps, for a period too large for one pass under the memory limit: each of the sales' two
 * joins in a statement of its own, its result written to a table, so each hash table spills on
 * its own (the runner falls back to these when one pass runs out of memory).
 */
const JOIN_STEPS: PlanStep[] = [
  {
    label: 'joining sales with their invoices',
    sql: `CREATE OR REPLACE TEMP TABLE sale_invoice AS WITH ${SALE_CTE}\n${SALE_INVOICE_SQL}`,
  },
  {
    label: 'joining sales with their orders',
    sql: `CREATE OR REPLACE TEMP TABLE sale_joined AS WITH ${ORDER_OWNED_CTE}\n${SALE_ORDER_SQL('sale_invoice')}`,
  },
];

/**
 * The sources, keyed and ranked. Only what a join or a window must compute once is written to a
 * temporary table, and only narrow (integers, a key): writing wide rows was the plan's main cost
 * (materialising 200,000 sales' 19 columns takes ~5 times the hash join that reads them). The
 * sale's joins with its invoice and its order run in the classifying statement itself; under
 * DuckDB's memory limit each operator spills what it must.
 */
const SOURCE_STAGES = [
  `CREATE OR REPLACE TEMP TABLE invoice AS WITH
-- Source: the node. One invoice per hash (a repeated page lists it twice): the first settled,
-- else the first listed; the others are counted as ignored (IGNORED_INVOICES_SQL). A hash
-- aggregate picks it (settled rows sort before every unsettled one: 2^62 + seq), then a join on
-- the integer seq fetches the row: no window has to sort the invoices.
invoice_pick AS (
  SELECT min(CASE WHEN state = 'settled' THEN seq ELSE seq + ${PICK_OFFSET} END) % ${PICK_OFFSET} AS seq
  FROM node_invoices GROUP BY payment_hash
)
SELECT n.payment_hash AS k, n.amount_msat AS i_amount,
       coalesce(n.amount_paid_msat, n.amount_msat) AS i_paid, n.state AS i_state, n.expires_at AS i_expires,
       n.settled_at AS i_settled_at, n.state = 'settled' AS i_settled
FROM node_invoices n SEMI JOIN invoice_pick p ON p.seq = n.seq`,
  `CREATE OR REPLACE TEMP TABLE sale_rank AS
-- Source: the journal. Within a key, paid sales first, then by number: the first Lightning one
-- claims the invoice; a later paid one is "paid twice" (the window's rank). Only keys that
-- repeat need the window; it sorts just their few narrow rows, every other sale is rank 1.
WITH sale_keyed AS NOT MATERIALIZED (
  SELECT seq, state, number, sale_id, ${SALE_KEY_SQL} AS k FROM journal_sales
)
SELECT seq, row_number() OVER (PARTITION BY k ORDER BY state = 'paid' DESC, number, sale_id, seq) AS rank
FROM sale_keyed SEMI JOIN (SELECT k FROM sale_keyed GROUP BY k HAVING count(*) > 1) d USING (k)`,
  `CREATE OR REPLACE TEMP TABLE order_rank AS WITH
-- Source: Shopify. An order belongs to the first sale of its key that names it (by sale id, or
-- by hash when the order has no sale id); a sale's orders by name, the first is its order.
${SALE_CTE},
order_keyed AS NOT MATERIALIZED (
  SELECT seq, order_id, name, sale_id, payment_hash, ${ORDER_KEY_SQL} AS k FROM shopify_orders
),
order_owner AS (
  SELECT o.seq, min(s.rank) AS owner_rank
  FROM order_keyed o JOIN sale s ON s.k = o.k
   AND (s.sale_id = o.sale_id OR (o.sale_id IS NULL AND o.payment_hash IS NOT NULL AND s.payment_hash = o.payment_hash))
  GROUP BY o.seq
),
order_with_owner AS NOT MATERIALIZED (
  SELECT o.seq, o.k, o.name, o.order_id, w.owner_rank FROM order_keyed o LEFT JOIN order_owner w ON w.seq = o.seq
),
order_nth AS (
  SELECT seq, row_number() OVER (PARTITION BY k, owner_rank ORDER BY name, order_id, seq) AS nth
  FROM order_with_owner
  SEMI JOIN (SELECT k, owner_rank FROM order_with_owner GROUP BY ALL HAVING count(*) > 1) d
    ON d.k = order_with_owner.k AND d.owner_rank IS NOT DISTINCT FROM order_with_owner.owner_rank
)
SELECT o.seq, o.owner_rank, coalesce(n.nth, 1) AS nth FROM order_with_owner o LEFT JOIN order_nth n ON n.seq = o.seq`,
] as const;

/** The temporary tables classifyStatements creates (`items` last); dropped after each run. */
export const STAGE_TABLES = [
  'invoice',
  'sale_rank',
  'order_rank',
  'sale_invoice',
  'sale_joined',
  'items',
] as const;

export interface ClassifySqlOptions {
  orders: boolean;
  /** The sales' joins in steps of their own (JOIN_STEPS): slower, but each spills alone. */
  inSteps?: boolean;
  wallet?: 'own' | 'shared' | 'unchecked';
  refundCutoff?: number;
}

/** One step of the classification: what the screen says while it runs, and its SQL. */
export interface PlanStep {
  label: string;
  sql: string;
}

/** What each step does, in the order classifyStatements runs them (SOURCE_STAGES, then itemArms). */
const STEP_LABELS = [
  'indexing the node’s invoices',
  'indexing the sales',
  'matching Shopify orders to sales',
  'comparing sales with their invoices and orders',
  'looking for second orders',
  'looking for orders without a sale',
  'looking for payments without a sale',
  'comparing refunds',
  'looking for second refunds',
  'looking for Shopify refunds not in the journal',
  'looking for refund-wallet payments not in the journal',
] as const;

/**
 * The classification, as statements to run in order: the staged sources, then `items`, one
 * row per item with ReconcileResult's fields in snake_case (unordered: RESULTS_SQL numbers them).
 */
export function classifyStatements(options: ClassifySqlOptions): PlanStep[] {
  const [first, ...rest] = itemArms(options);
  const sql = [
    ...SOURCE_STAGES,
    `CREATE OR REPLACE TEMP TABLE items AS ${first}`,
    ...rest.map((arm) => `INSERT INTO items ${arm}`),
  ];
  if (sql.length !== STEP_LABELS.length) throw new Error('plan.ts: a step without its label');
  const steps: PlanStep[] = sql.map((q, i) => ({ label: STEP_LABELS[i]!, sql: q }));
  if (options.inSteps) steps.splice(SOURCE_STAGES.length, 0, ...JOIN_STEPS);
  return steps;
}

/**
 * The classification's last step: a SELECT over the staged sources (SOURCE_STAGES).
 * `orders` as classify.ts's ClassifyOptions: whether paid sales should have Shopify orders.
 */
function itemArms(options: ClassifySqlOptions): string[] {
  const mode = options.wallet ?? 'own';
  const cutoff = Math.trunc(options.refundCutoff ?? Number.MAX_SAFE_INTEGER);
  const saleBranches = Object.keys(DETAIL);
  const refundBranches = Object.keys(REFUND_DETAIL);
  const ctes = `WITH
${SALE_CTE},
${ORDER_OWNED_CTE},
${options.inSteps ? '' : `sale_joined AS NOT MATERIALIZED (${SALE_JOINED_SQL}),`}
-- Keys with a Lightning sale: their invoice is claimed (by the sale of rank 1).
claimed AS (SELECT DISTINCT payment_hash AS k FROM journal_sales WHERE tender = 'lightning' AND payment_hash IS NOT NULL),
-- Fiat at the locked rate, exactly: rate = units / 10^scale major units per BTC.
sale_factored AS (
  SELECT * EXCLUDE (r_units, r_scale, exponent),
         r_units * pow10(exponent) AS f_num, ${MSAT_PER_BTC} * pow10(r_scale) AS f_den,
         1 + div_up(${MSAT_PER_SAT} * r_units * pow10(exponent), ${MSAT_PER_BTC} * pow10(r_scale)) AS tolerance
  FROM (
    SELECT *, CAST(replace(trim(rate), '.', '') AS HUGEINT) AS r_units,
           CASE WHEN contains(trim(rate), '.') THEN length(split_part(trim(rate), '.', 2)) ELSE 0 END AS r_scale,
           exponent_of(currency) AS exponent
    FROM sale_joined
  )
),
-- paid_fiat = i_paid × num / den rounded half to even, with one HUGEINT division per sale.
sale_rated AS (
  SELECT * EXCLUDE (f_q, f_r2, f_den),
         CASE WHEN f_r2 > f_den THEN f_q + 1 WHEN f_r2 < f_den THEN f_q WHEN f_q % 2 = 1 THEN f_q + 1 ELSE f_q END AS paid_fiat
  FROM (
    SELECT *, 2 * (f_product - f_q * f_den) AS f_r2 FROM (
      SELECT * EXCLUDE (f_product), f_product, f_product // f_den AS f_q FROM (
        SELECT * EXCLUDE (f_num),
               CASE WHEN claims AND i_settled THEN CAST(i_paid AS HUGEINT) * f_num END AS f_product
        FROM sale_factored
      )
    )
  )
),
sale_checked AS (
  SELECT *,
    CASE
      WHEN NOT (claims AND i_settled) THEN NULL
      WHEN amount_paid_msat IS NOT NULL AND amount_paid_msat <> i_paid
        THEN 'node paid ' || sats(i_paid) || ', journal says ' || sats(amount_paid_msat)
      WHEN i_paid < i_amount THEN 'underpaid: ' || sats(i_paid) || ' of ' || sats(i_amount)
      WHEN rate IS NULL THEN NULL
      WHEN abs(paid_fiat - total) > tolerance
        THEN sats(i_paid) || ' at ' || rate || ' is ' || paid_fiat || ', sale total ' || total
             || ' (minor units, tolerance ' || tolerance || ')'
    END AS mismatch,
    claims AND i_settled AND i_settled_at IS NOT NULL AND i_settled_at > i_expires AS late
  FROM sale_rated
),
sale_items AS (
  SELECT
    CASE
      WHEN lightning AND NOT claims AND state = 'paid' AND has_invoice THEN 'paid_twice'
      WHEN offline = 'unproven' THEN 'offline_unproven'
      WHEN offline = 'no_payment' THEN 'offline_no_payment'
      WHEN tender = 'lightning' AND state = 'paid' AND NOT (claims AND i_settled) THEN 'no_settled_invoice'
      WHEN tender = 'lightning' AND claims AND i_settled AND state <> 'paid' AND late THEN 'settled_late_unpaid'
      WHEN tender = 'lightning' AND claims AND i_settled AND state <> 'paid' THEN 'settled_unpaid'
      WHEN tender = 'lightning' AND mismatch IS NOT NULL THEN 'amount_mismatch'
      WHEN tender = 'lightning' AND late AND NOT paid_late THEN 'late_not_journaled'
      WHEN state <> 'paid' AND NOT has_order THEN 'not_paid'
      WHEN state <> 'paid' THEN 'order_for_unpaid'
      WHEN NOT has_order AND NOT ${options.orders} THEN 'matched_no_store'
      WHEN NOT has_order AND order_name IS NULL THEN 'queue_order'
      WHEN NOT has_order THEN 'recreate_order'
      WHEN o_total <> total OR o_currency <> currency THEN 'order_total_differs'
      ELSE 'matched'
    END AS branch,
    *
  FROM sale_checked
),
-- Source: the refund wallet. One payment per hash (the first listed).
wallet_payment AS (
  SELECT payment_hash AS p_hash, amount_msat AS p_amount, paid_at AS p_paid_at
  FROM (SELECT *, row_number() OVER (PARTITION BY payment_hash ORDER BY seq) AS pick FROM refund_wallet_payments)
  WHERE pick = 1
),
-- Source: the journal's refunds. The first refund of a hash (by id, then as listed) claims the
-- wallet's payment; the first refund of an id owns its Shopify refunds.
refund_ranked AS (
  SELECT *, tender = 'lightning' AND payment_hash IS NOT NULL AS lightning_h,
         row_number() OVER (PARTITION BY CASE WHEN tender = 'lightning' THEN payment_hash END ORDER BY refund_id, seq) AS hash_rank,
         row_number() OVER (PARTITION BY refund_id ORDER BY seq) AS id_rank
  FROM journal_refunds
),
-- Source: Shopify's refunds, by the till refund their note names; by Shopify id, then as listed.
shopify_refund_owned AS (
  SELECT *, till_refund_id IN (SELECT refund_id FROM journal_refunds) AS owned,
         row_number() OVER (PARTITION BY till_refund_id ORDER BY refund_id, seq) AS nth
  FROM shopify_refunds
),
refund_joined AS (
  SELECT r.*, p.*, s.refund_id AS s_id, s.order_id AS s_order_id, s.order_name AS s_order_name,
         s.total AS s_total, s.currency AS s_currency,
         r.tender = 'lightning' AND ${lit(mode)} <> 'unchecked' AS checked,
         r.tender = 'lightning' AND ${lit(mode)} = 'unchecked' AS unchecked_lightning,
         ${options.orders} AS orders_expected
  FROM refund_ranked r
  LEFT JOIN wallet_payment p ON r.lightning_h AND r.hash_rank = 1 AND p.p_hash = r.payment_hash
  LEFT JOIN shopify_refund_owned s ON r.id_rank = 1 AND s.till_refund_id = r.refund_id AND s.nth = 1
),
refund_items AS (
  SELECT
    CASE
      WHEN state NOT IN ('paid', 'paying') AND p_hash IS NOT NULL THEN 'refund_wallet_unrecorded'
      WHEN state NOT IN ('paid', 'paying') AND s_id IS NOT NULL THEN 'refund_shopify_unpaid'
      WHEN state NOT IN ('paid', 'paying') THEN NULL
      WHEN state = 'paying' AND p_hash IS NOT NULL THEN 'refund_paid_while_paying'
      WHEN state = 'paying' AND updated_at > ${cutoff} THEN NULL
      WHEN state = 'paying' THEN 'refund_stuck_paying'
      WHEN checked AND p_hash IS NULL THEN 'refund_not_paid'
      WHEN p_hash IS NOT NULL AND amount_msat IS NOT NULL AND p_amount <> amount_msat THEN 'refund_wallet_amount'
      WHEN s_id IS NULL AND orders_expected AND coalesce(paid_at, 0) <= ${cutoff} THEN 'refund_missing_in_shopify'
      WHEN s_id IS NOT NULL AND (s_total <> amount OR s_currency <> currency) THEN 'refund_shopify_amount'
      ELSE 'refund_matched'
    END AS branch,
    *
  FROM refund_joined
)
`;
  // Each kind of item its own statement, so only its own joins hold memory at a time.
  return [
    `  SELECT branch, sale_id, number AS sale_number, payment_hash, o_id AS order_id,
         coalesce(o_name, order_name) AS order_name, tender, state AS sale_state,
         coalesce(paid_at, CASE WHEN i_settled THEN i_settled_at END) AS time,
         CASE WHEN tender = 'lightning' THEN coalesce(CASE WHEN i_settled THEN i_paid END, amount_paid_msat) END AS msat,
         total AS fiat, currency, rate, rate_source, net, tax, tip, discounts,
         ${caseOf((b) => DETAIL[b as SaleBranch], saleBranches)} AS detail
  FROM sale_items`,
    `  -- A sale's second (third …) order: the same payment counted twice in Shopify.
  SELECT 'second_order', s.sale_id, s.number, s.payment_hash, o.order_id, o.name, s.tender, s.state,
         coalesce(s.paid_at, CASE WHEN s.i_settled THEN s.i_settled_at END),
         CASE WHEN s.tender = 'lightning' THEN coalesce(CASE WHEN s.i_settled THEN s.i_paid END, s.amount_paid_msat) END,
         o.total, o.currency, s.rate, s.rate_source, NULL, NULL, NULL, NULL,
         'a second Shopify order for sale #' || s.number
  FROM (SELECT * FROM order_owned WHERE nth > 1) o
  JOIN (SELECT s.*, i.i_settled, i.i_settled_at, i.i_paid FROM sale s LEFT JOIN invoice i ON i.k = s.k) s
    ON s.k = o.k AND s.rank = o.owner_rank`,
    `  SELECT 'order_without_sale', sale_id, NULL, payment_hash, order_id, name, NULL, NULL,
         NULL, NULL, total, currency, NULL, NULL, NULL, NULL, NULL, NULL,
         ${DETAIL.order_without_sale}
  FROM order_owned WHERE owner_rank IS NULL`,
    `  SELECT 'orphan_payment', NULL, NULL, k, NULL, NULL, 'lightning', NULL,
         i_settled_at, i_paid, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         ${DETAIL.orphan_payment}
  FROM invoice WHERE i_settled AND k NOT IN (SELECT k FROM claimed)`,
    `  -- Refunds: one item per refund the sources disagree on (or that matched).
  SELECT branch, sale_id, NULL, payment_hash, s_order_id, s_order_name, tender, NULL,
         coalesce(paid_at, p_paid_at), CASE WHEN tender = 'lightning' THEN coalesce(p_amount, amount_msat) END,
         amount, currency, NULL, NULL, NULL, NULL, NULL, NULL,
         ${caseOf((b) => REFUND_DETAIL[b as RefundBranch], refundBranches)}
  FROM refund_items WHERE branch IS NOT NULL`,
    `  SELECT 'second_refund', r.sale_id, NULL, r.payment_hash, s.order_id, s.order_name, r.tender, NULL,
         s.created_at, CASE WHEN r.tender = 'lightning' THEN coalesce(r.p_amount, r.amount_msat) END,
         s.total, s.currency, NULL, NULL, NULL, NULL, NULL, NULL, ${REFUND_DETAIL.second_refund}
  FROM shopify_refund_owned s JOIN refund_joined r ON r.refund_id = s.till_refund_id AND r.id_rank = 1
  WHERE s.nth > 1`,
    `  SELECT 'shopify_refund_unrecorded', NULL, NULL, NULL, order_id, order_name, NULL, NULL,
         created_at, NULL, total, currency, NULL, NULL, NULL, NULL, NULL, NULL,
         ${REFUND_DETAIL.shopify_refund_unrecorded}
  FROM shopify_refund_owned WHERE till_refund_id IS NULL OR NOT owned`,
    `  SELECT 'wallet_payment_unrecorded', NULL, NULL, p_hash, NULL, NULL, 'lightning', NULL,
         p_paid_at, p_amount, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
         ${REFUND_DETAIL.wallet_payment_unrecorded}
  FROM wallet_payment
  WHERE ${lit(mode)} = 'own'
    AND p_hash NOT IN (SELECT payment_hash FROM journal_refunds WHERE tender = 'lightning' AND payment_hash IS NOT NULL)`,
  ].map((arm) => ctes + arm);
}

/** Each branch's outcome, repair and whether that is safe, as a table to join (30 rows). */
const BRANCH_TABLE = `(VALUES ${Object.entries(BRANCHES)
  .map(([b, [outcome, repair]]) => `(${lit(b)}, ${lit(outcome)}, ${lit(repair)}, ${SAFE_REPAIRS[repair]})`)
  .join(', ')}) b(b_branch, outcome, repair, safe)`;

/**
 * The `results` table: each item's branch named as its outcome, repair and whether that is
 * safe, numbered (`seq`) in the order the screen and the exports list them. Only the sort keys
 * and the row id are sorted; the wide rows are joined back by row id.
 */
export const RESULTS_SQL = `
CREATE OR REPLACE TEMP TABLE results AS
WITH named AS NOT MATERIALIZED (
  SELECT items.rowid AS rid, items.*, b.* EXCLUDE (b_branch) FROM items JOIN ${BRANCH_TABLE} ON b.b_branch = items.branch
),
ordered AS (
  SELECT rid, row_number() OVER (ORDER BY time NULLS LAST, sale_number NULLS LAST, payment_hash, order_id, outcome) AS seq
  FROM named
)
SELECT o.seq, outcome, repair, safe, ${RESULT_COLUMNS.replace('branch, ', '')}, false AS applied
FROM named JOIN ordered o ON o.rid = named.rid`;

/** Node invoices no item accounts for: listed twice, or never paid and named by no sale. */
export const IGNORED_INVOICES_SQL = `
SELECT coalesce(sum(CASE WHEN c.k IS NOT NULL OR i.settled THEN i.listed - 1 ELSE i.listed END), 0) AS ignored
FROM (SELECT payment_hash AS k, count(*) AS listed, bool_or(state = 'settled') AS settled
      FROM node_invoices GROUP BY payment_hash) i
LEFT JOIN (SELECT DISTINCT payment_hash AS k FROM journal_sales
           WHERE tender = 'lightning' AND payment_hash IS NOT NULL) c ON c.k = i.k`;
