/**
 * Append-only: a released migration is never edited. The index + 1 is the schema version
 * stored in PRAGMA user_version.
 */
export const migrations: readonly string[] = [
  /* 1: foundation */ `
  CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;

  CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;

  CREATE TABLE catalog_products (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    vendor       TEXT,
    product_type TEXT,
    status       TEXT NOT NULL,
    image_url    TEXT,
    position     INTEGER NOT NULL
  ) STRICT;

  CREATE TABLE catalog_variants (
    id                 TEXT PRIMARY KEY,
    product_id         TEXT NOT NULL REFERENCES catalog_products(id) ON DELETE CASCADE,
    title              TEXT NOT NULL,
    sku                TEXT,
    barcode            TEXT,
    price              INTEGER NOT NULL,
    compare_at_price   INTEGER,
    taxable            INTEGER NOT NULL,
    inventory_quantity INTEGER,
    image_url          TEXT,
    options_json       TEXT NOT NULL,
    position           INTEGER NOT NULL
  ) STRICT;
  CREATE INDEX catalog_variants_product ON catalog_variants(product_id, position);
  CREATE INDEX catalog_variants_barcode ON catalog_variants(barcode) WHERE barcode IS NOT NULL;
  CREATE INDEX catalog_variants_sku ON catalog_variants(sku) WHERE sku IS NOT NULL;

  CREATE TABLE cart_lines (
    line_id       TEXT PRIMARY KEY,
    position      INTEGER NOT NULL,
    variant_id    TEXT,
    title         TEXT NOT NULL,
    variant_title TEXT,
    sku           TEXT,
    unit_price    INTEGER NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity > 0)
  ) STRICT;

  CREATE TABLE sales (
    id               TEXT PRIMARY KEY,
    number           INTEGER NOT NULL UNIQUE,
    state            TEXT NOT NULL CHECK (state IN ('open','awaiting_payment','paid','expired','cancelled')),
    currency         TEXT NOT NULL,
    total            INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    paid_at          TEXT,
    amount_paid_msat INTEGER,
    paid_late        INTEGER NOT NULL DEFAULT 0,
    state_reason     TEXT,
    invoice_hash     TEXT
  ) STRICT;
  CREATE INDEX sales_created ON sales(created_at);
  CREATE INDEX sales_state ON sales(state);

  CREATE TABLE sale_lines (
    sale_id       TEXT NOT NULL REFERENCES sales(id),
    position      INTEGER NOT NULL,
    line_id       TEXT NOT NULL,
    variant_id    TEXT,
    title         TEXT NOT NULL,
    variant_title TEXT,
    sku           TEXT,
    unit_price    INTEGER NOT NULL,
    quantity      INTEGER NOT NULL,
    PRIMARY KEY (sale_id, position)
  ) STRICT;

  CREATE TABLE sale_invoices (
    payment_hash     TEXT PRIMARY KEY,
    sale_id          TEXT NOT NULL REFERENCES sales(id),
    backend          TEXT NOT NULL,
    bolt11           TEXT NOT NULL,
    amount_msat      INTEGER NOT NULL,
    created_at       TEXT NOT NULL,
    expires_at       TEXT NOT NULL,
    rate             TEXT NOT NULL,
    rate_currency    TEXT NOT NULL,
    rate_source      TEXT NOT NULL,
    rate_fetched_at  TEXT NOT NULL,
    settled_at       TEXT,
    amount_paid_msat INTEGER
  ) STRICT;
  CREATE INDEX sale_invoices_sale ON sale_invoices(sale_id);

  -- Every state change of a sale, written in the same transaction as the change itself.
  CREATE TABLE sale_events (
    seq        INTEGER PRIMARY KEY AUTOINCREMENT,
    sale_id    TEXT NOT NULL REFERENCES sales(id),
    at         TEXT NOT NULL,
    from_state TEXT,
    to_state   TEXT NOT NULL,
    detail     TEXT
  ) STRICT;
  CREATE INDEX sale_events_sale ON sale_events(sale_id, seq);

  -- Settlements the node reported for hashes the till never issued: kept for reconciliation.
  CREATE TABLE unmatched_payments (
    payment_hash     TEXT PRIMARY KEY,
    backend          TEXT NOT NULL,
    amount_paid_msat INTEGER,
    settled_at       TEXT,
    seen_at          TEXT NOT NULL
  ) STRICT;

  CREATE TABLE backend_cursors (
    backend    TEXT PRIMARY KEY,
    cursor     TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) STRICT;
  `,
  /* 2: cash tender and the Shopify outbox */ `
  ALTER TABLE sales ADD COLUMN tender TEXT NOT NULL DEFAULT 'lightning' CHECK (tender IN ('lightning', 'cash'));
  -- Cash: what the customer handed over (minor units); change = tendered - total.
  ALTER TABLE sales ADD COLUMN cash_tendered INTEGER;
  ALTER TABLE sales ADD COLUMN shopify_order_id TEXT;
  ALTER TABLE sales ADD COLUMN shopify_order_name TEXT;

  -- Work that must reach Shopify exactly once, written in the same transaction as the sale
  -- becoming paid; a pump drains it in order.
  CREATE TABLE outbox (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL CHECK (kind IN ('orderCreate')),
    sale_id         TEXT NOT NULL REFERENCES sales(id),
    state           TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    done_at         TEXT,
    UNIQUE (kind, sale_id)
  ) STRICT;
  CREATE INDEX outbox_due ON outbox(state, next_attempt_at, seq);
  `,
  /* 3: the Shopify catalog sync, its staging area, the image cache and full-text search */ `
  ALTER TABLE catalog_products ADD COLUMN handle TEXT;
  ALTER TABLE catalog_products ADD COLUMN updated_at TEXT;
  ALTER TABLE catalog_products ADD COLUMN options_json TEXT;
  -- Where Shopify keeps the image; image_url is the cached local copy (null until cached).
  ALTER TABLE catalog_products ADD COLUMN source_image_url TEXT;
  ALTER TABLE catalog_variants ADD COLUMN inventory_item_id TEXT;
  ALTER TABLE catalog_variants ADD COLUMN source_image_url TEXT;

  -- A full sync streams into these, then swaps them into the live tables in one
  -- transaction, so the register never sees half a catalog. No constraints: speed.
  CREATE TABLE catalog_stage_products (
    id               TEXT NOT NULL,
    title            TEXT NOT NULL,
    handle           TEXT,
    vendor           TEXT,
    product_type     TEXT,
    status           TEXT NOT NULL,
    updated_at       TEXT,
    options_json     TEXT,
    source_image_url TEXT
  ) STRICT;
  CREATE TABLE catalog_stage_variants (
    id                 TEXT NOT NULL,
    product_id         TEXT NOT NULL,
    title              TEXT NOT NULL,
    sku                TEXT,
    barcode            TEXT,
    price              INTEGER NOT NULL,
    compare_at_price   INTEGER,
    taxable            INTEGER NOT NULL,
    inventory_quantity INTEGER,
    inventory_item_id  TEXT,
    options_json       TEXT NOT NULL
  ) STRICT;
  -- Bulk JSONL puts nested connection nodes on their own lines, not necessarily next to
  -- their parent: a variant's image arrives as a line of its own, linked by __parentId.
  CREATE TABLE catalog_stage_media (
    parent_id TEXT PRIMARY KEY,
    url       TEXT NOT NULL
  ) STRICT;

  -- Product images cached on disk under <dataDir>/catalog-images/<sha256>.<ext>.
  CREATE TABLE catalog_images (
    url             TEXT PRIMARY KEY,
    file            TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT
  ) STRICT;
  CREATE INDEX catalog_products_source_image ON catalog_products(source_image_url)
    WHERE source_image_url IS NOT NULL;
  CREATE INDEX catalog_variants_source_image ON catalog_variants(source_image_url)
    WHERE source_image_url IS NOT NULL;

  -- One document per product: its own words and every variant's title, SKU and barcode.
  -- remove_diacritics 2 folds "Café" to "cafe"; the prefix indexes keep as-you-type fast.
  CREATE VIRTUAL TABLE catalog_search USING fts5(
    product_id UNINDEXED, title, vendor, product_type, variants,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2 3'
  );
  INSERT INTO catalog_search (product_id, title, vendor, product_type, variants)
    SELECT p.id, p.title, coalesce(p.vendor, ''), coalesce(p.product_type, ''),
      (SELECT group_concat(v.title || ' ' || coalesce(v.sku, '') || ' ' || coalesce(v.barcode, ''), ' ')
         FROM catalog_variants v WHERE v.product_id = p.id)
    FROM catalog_products p;
  `,
  /* 4: discounts, the priced sale, and held carts parked by name with their prices as parked */ `
  -- A line's discount as the cashier set it (JSON, shared/domain Discount); NULL: none.
  ALTER TABLE cart_lines ADD COLUMN discount_json TEXT;
  ALTER TABLE sale_lines ADD COLUMN discount_json TEXT;
  -- The sale as priced when it was rung up (shared/domain Pricing, wire JSON): taxes, discounts,
  -- tip. NULL for sales from before pricing: no tax, no discount, the lines' sum.
  ALTER TABLE sales ADD COLUMN pricing_json TEXT;
  -- Notes: a line's ("oat milk") and the order's (the cart's is in meta), as typed; NULL: none.
  ALTER TABLE cart_lines ADD COLUMN note TEXT;
  ALTER TABLE sale_lines ADD COLUMN note TEXT;
  ALTER TABLE sales ADD COLUMN note TEXT;

  CREATE TABLE parked_carts (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    currency      TEXT NOT NULL,
    parked_at     TEXT NOT NULL,
    discount_json TEXT,
    note          TEXT
  ) STRICT;
  CREATE TABLE parked_cart_lines (
    parked_id     TEXT NOT NULL REFERENCES parked_carts(id) ON DELETE CASCADE,
    line_id       TEXT NOT NULL,
    position      INTEGER NOT NULL,
    variant_id    TEXT,
    title         TEXT NOT NULL,
    variant_title TEXT,
    sku           TEXT,
    unit_price    INTEGER NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    discount_json TEXT,
    note          TEXT,
    PRIMARY KEY (parked_id, line_id)
  ) STRICT;
  `,
  /* 5: staff, who did what (the audit), and who rang up each sale */ `
  CREATE TABLE staff (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('cashier','manager','owner')),
    -- scrypt of the PIN with its own salt (hex); never the PIN.
    pin_salt   TEXT NOT NULL,
    pin_hash   TEXT NOT NULL,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    -- 1 while the owner still has the documented demo PIN.
    demo_pin   INTEGER NOT NULL DEFAULT 0
  ) STRICT;

  -- Every change made on the till, and every refusal worth knowing (wrong PINs, missing rights).
  -- Append-only: nothing updates or deletes a row.
  CREATE TABLE audit (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    at            TEXT NOT NULL,
    till_id       TEXT NOT NULL,
    staff_id      TEXT,
    staff_name    TEXT,
    approver_id   TEXT,
    approver_name TEXT,
    action        TEXT NOT NULL,
    detail        TEXT NOT NULL,
    outcome       TEXT NOT NULL CHECK (outcome IN ('done','refused')),
    sale_id       TEXT
  ) STRICT;
  CREATE INDEX audit_staff ON audit(staff_id, id);
  CREATE INDEX audit_sale ON audit(sale_id, id) WHERE sale_id IS NOT NULL;
  CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;
  CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit is append-only'); END;

  ALTER TABLE sales ADD COLUMN staff_id TEXT;
  ALTER TABLE sales ADD COLUMN staff_name TEXT;
  ALTER TABLE sale_events ADD COLUMN staff_id TEXT;
  ALTER TABLE sale_events ADD COLUMN staff_name TEXT;
  ALTER TABLE sale_events ADD COLUMN approver_id TEXT;
  ALTER TABLE sale_events ADD COLUMN approver_name TEXT;
  `,
  /* 6: shifts and the cash drawer: each sale belongs to the shift open when it was rung up */ `
  -- One till's shift (each till has its own journal, so its own shifts): the float counted at
  -- open, the drawer counted at close and the Z report frozen then. A closed shift never changes.
  CREATE TABLE shifts (
    id               TEXT PRIMARY KEY,
    till_id          TEXT NOT NULL,
    number           INTEGER NOT NULL UNIQUE,
    currency         TEXT NOT NULL,
    opened_at        TEXT NOT NULL,
    opened_by_id     TEXT,
    opened_by_name   TEXT,
    -- The opening float: its total (minor units) and, when counted by denomination, the count
    -- (JSON {"<face value in minor units>": count}); NULL when a total was typed.
    float_total      INTEGER NOT NULL CHECK (float_total >= 0),
    float_json       TEXT,
    closed_at        TEXT,
    closed_by_id     TEXT,
    closed_by_name   TEXT,
    approver_id      TEXT,
    approver_name    TEXT,
    counted_total    INTEGER CHECK (counted_total >= 0),
    counted_json     TEXT,
    -- The Z report as printed at close (wire JSON, shared/domain ShiftReport).
    report_json      TEXT,
    CHECK ((closed_at IS NULL) = (counted_total IS NULL) AND (closed_at IS NULL) = (report_json IS NULL))
  ) STRICT;
  -- At most one open shift at a time.
  CREATE UNIQUE INDEX shifts_one_open ON shifts((closed_at IS NULL)) WHERE closed_at IS NULL;

  -- Money into or out of the drawer that is not a sale, and drawer opens without a sale.
  -- Append-only, and only while its shift is open.
  CREATE TABLE cash_movements (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    shift_id      TEXT NOT NULL REFERENCES shifts(id),
    kind          TEXT NOT NULL CHECK (kind IN ('paid_in', 'paid_out', 'no_sale')),
    currency      TEXT NOT NULL,
    amount        INTEGER NOT NULL CHECK ((kind = 'no_sale' AND amount = 0) OR (kind <> 'no_sale' AND amount > 0)),
    reason        TEXT NOT NULL,
    at            TEXT NOT NULL,
    staff_id      TEXT,
    staff_name    TEXT,
    approver_id   TEXT,
    approver_name TEXT
  ) STRICT;
  CREATE INDEX cash_movements_shift ON cash_movements(shift_id, id);

  ALTER TABLE sales ADD COLUMN shift_id TEXT REFERENCES shifts(id);
  CREATE INDEX sales_shift ON sales(shift_id) WHERE shift_id IS NOT NULL;

  -- A closed shift is immutable here too, not only in the till's code.
  CREATE TRIGGER shifts_closed_update BEFORE UPDATE ON shifts WHEN OLD.closed_at IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'a closed shift cannot be changed'); END;
  CREATE TRIGGER shifts_no_delete BEFORE DELETE ON shifts
    BEGIN SELECT RAISE(ABORT, 'a shift cannot be deleted'); END;
  CREATE TRIGGER cash_movements_open_shift BEFORE INSERT ON cash_movements
    WHEN (SELECT closed_at FROM shifts WHERE id = NEW.shift_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'a closed shift cannot be changed'); END;
  CREATE TRIGGER cash_movements_no_update BEFORE UPDATE ON cash_movements
    BEGIN SELECT RAISE(ABORT, 'cash movements are append-only'); END;
  CREATE TRIGGER cash_movements_no_delete BEFORE DELETE ON cash_movements
    BEGIN SELECT RAISE(ABORT, 'cash movements are append-only'); END;
  CREATE TRIGGER sales_closed_shift_insert BEFORE INSERT ON sales
    WHEN NEW.shift_id IS NOT NULL AND (SELECT closed_at FROM shifts WHERE id = NEW.shift_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'a closed shift cannot be changed'); END;
  CREATE TRIGGER sales_closed_shift_move BEFORE UPDATE OF shift_id ON sales
    WHEN OLD.shift_id IS NOT NEW.shift_id AND (
      (SELECT closed_at FROM shifts WHERE id = OLD.shift_id) IS NOT NULL OR
      (SELECT closed_at FROM shifts WHERE id = NEW.shift_id) IS NOT NULL)
    BEGIN SELECT RAISE(ABORT, 'a closed shift cannot be changed'); END;
  `,
  /* 7: returns and refunds */ `
  CREATE TABLE refunds (
    id            TEXT PRIMARY KEY,
    sale_id       TEXT NOT NULL REFERENCES sales(id),
    -- shared/domain/refund.ts: a cash refund passes through every state in one transaction.
    state         TEXT NOT NULL CHECK (state IN ('requested','approved','paying','paid','failed')),
    tender        TEXT NOT NULL CHECK (tender IN ('cash','lightning')),
    currency      TEXT NOT NULL,
    -- Minor units: what goes back (lines + tip), the tax inside it, the tip given back (0: kept).
    amount        INTEGER NOT NULL CHECK (amount >= 0),
    tax           INTEGER NOT NULL,
    tip           INTEGER NOT NULL DEFAULT 0 CHECK (tip >= 0),
    reason        TEXT NOT NULL,
    requested_by_id   TEXT,
    requested_by_name TEXT,
    approved_by_id    TEXT,
    approved_by_name  TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    paid_at       TEXT,
    state_reason  TEXT,
    -- Lightning (to come): the hash of what is being paid, stored before the pay call returns.
    payment_hash  TEXT,
    shopify_refund_id TEXT,
    -- The shift open when the refund was asked for (cash comes out of its drawer); NULL: none was
    -- open, and the next shift adopts it, as it adopts sales.
    shift_id      TEXT REFERENCES shifts(id)
  ) STRICT;
  CREATE INDEX refunds_shift ON refunds(shift_id) WHERE shift_id IS NOT NULL;
  CREATE TRIGGER refunds_closed_shift_insert BEFORE INSERT ON refunds
    WHEN NEW.shift_id IS NOT NULL AND (SELECT closed_at FROM shifts WHERE id = NEW.shift_id) IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'a closed shift cannot be changed'); END;
  CREATE TRIGGER refunds_closed_shift_move BEFORE UPDATE OF shift_id ON refunds
    WHEN (OLD.shift_id IS NOT NULL AND (SELECT closed_at FROM shifts WHERE id = OLD.shift_id) IS NOT NULL) OR
      (NEW.shift_id IS NOT NULL AND (SELECT closed_at FROM shifts WHERE id = NEW.shift_id) IS NOT NULL)
    BEGIN SELECT RAISE(ABORT, 'a closed shift cannot be changed'); END;
  CREATE INDEX refunds_sale ON refunds(sale_id, created_at);
  -- A tip goes back once.
  CREATE UNIQUE INDEX refunds_one_tip ON refunds(sale_id) WHERE tip > 0 AND state <> 'failed';

  CREATE TABLE refund_lines (
    refund_id TEXT NOT NULL REFERENCES refunds(id),
    sale_id   TEXT NOT NULL,
    line_id   TEXT NOT NULL,
    quantity  INTEGER NOT NULL CHECK (quantity > 0),
    restock   INTEGER NOT NULL CHECK (restock IN (0, 1)),
    amount    INTEGER NOT NULL,
    tax       INTEGER NOT NULL,
    discount  INTEGER NOT NULL,
    PRIMARY KEY (refund_id, line_id)
  ) STRICT;
  CREATE INDEX refund_lines_sale_line ON refund_lines(sale_id, line_id);
  -- Never more back than was sold, whoever writes: the journal itself refuses it, so two
  -- refunds of the same line racing each other (two screens, two tills on one journal) cannot
  -- both commit. Failed refunds give their quantities back.
  CREATE TRIGGER refund_lines_within_sold BEFORE INSERT ON refund_lines
  WHEN NEW.quantity + (
      SELECT coalesce(sum(l.quantity), 0) FROM refund_lines l JOIN refunds r ON r.id = l.refund_id
      WHERE l.sale_id = NEW.sale_id AND l.line_id = NEW.line_id AND r.state <> 'failed')
    > coalesce((SELECT quantity FROM sale_lines WHERE sale_id = NEW.sale_id AND line_id = NEW.line_id), 0)
  BEGIN SELECT RAISE(ABORT, 'refund_lines_within_sold: more returned than sold'); END;

  -- Every state change of a refund and who made it, as sale_events: append-only.
  CREATE TABLE refund_events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    refund_id     TEXT NOT NULL REFERENCES refunds(id),
    at            TEXT NOT NULL,
    from_state    TEXT,
    to_state      TEXT NOT NULL,
    detail        TEXT,
    staff_id      TEXT,
    staff_name    TEXT,
    approver_id   TEXT,
    approver_name TEXT
  ) STRICT;
  CREATE INDEX refund_events_refund ON refund_events(refund_id, seq);
  CREATE TRIGGER refund_events_append_only_update BEFORE UPDATE ON refund_events
    BEGIN SELECT RAISE(ABORT, 'refund events are append-only'); END;
  CREATE TRIGGER refund_events_append_only_delete BEFORE DELETE ON refund_events
    BEGIN SELECT RAISE(ABORT, 'refund events are append-only'); END;

  -- The outbox learns refunds: SQLite cannot widen a CHECK in place, so the table is rebuilt
  -- with every row (and seq) as it was. An order is one row per sale; a refund one per refund.
  CREATE TABLE outbox_next (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT NOT NULL CHECK (kind IN ('orderCreate', 'refundCreate')),
    sale_id         TEXT NOT NULL REFERENCES sales(id),
    refund_id       TEXT REFERENCES refunds(id),
    state           TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    done_at         TEXT,
    CHECK ((kind = 'refundCreate') = (refund_id IS NOT NULL))
  ) STRICT;
  INSERT INTO outbox_next (seq, kind, sale_id, refund_id, state, attempts, next_attempt_at, last_error, created_at, done_at)
    SELECT seq, kind, sale_id, NULL, state, attempts, next_attempt_at, last_error, created_at, done_at FROM outbox;
  DROP TABLE outbox;
  ALTER TABLE outbox_next RENAME TO outbox;
  CREATE UNIQUE INDEX outbox_order ON outbox(sale_id) WHERE kind = 'orderCreate';
  CREATE UNIQUE INDEX outbox_refund ON outbox(refund_id) WHERE kind = 'refundCreate';
  CREATE INDEX outbox_due ON outbox(state, next_attempt_at, seq);
  `,
  /* 8: Lightning refunds (issue 14, second slice) */ `
  -- What a Lightning refund pays, stored with its hash before the pay call: the sats asked for
  -- (the per-day limit sums them) and the customer's invoice (a restart looks it up, never pays it again).
  ALTER TABLE refunds ADD COLUMN amount_msat INTEGER CHECK (amount_msat IS NULL OR amount_msat > 0);
  ALTER TABLE refunds ADD COLUMN invoice TEXT;
  -- One invoice, one refund: a second refund to a hash already being paid (or paid) cannot commit.
  CREATE UNIQUE INDEX refunds_payment_hash ON refunds(payment_hash)
    WHERE payment_hash IS NOT NULL AND state <> 'failed';
  -- The demo refund wallet's payments (no money moves): kept in the journal so a restart can look
  -- one up as a real wallet would.
  CREATE TABLE demo_refund_payments (
    payment_hash TEXT PRIMARY KEY,
    invoice      TEXT NOT NULL,
    amount_msat  INTEGER NOT NULL,
    paid_at      TEXT NOT NULL
  ) STRICT;
  `,
  /* 9: LNURL-withdraw refunds (issue 14, LUD-03) */ `
  -- A refund the customer's wallet pulls: its one-time link, journaled with the refund at approval.
  -- Only the hash of the link's secret is kept (the secret is a bearer token for the sats).
  CREATE TABLE refund_withdraw_links (
    refund_id   TEXT PRIMARY KEY REFERENCES refunds(id),
    secret_hash TEXT NOT NULL UNIQUE,
    amount_msat INTEGER NOT NULL CHECK (amount_msat > 0),
    rate        TEXT NOT NULL,
    rate_basis  TEXT NOT NULL CHECK (rate_basis IN ('current', 'sale')),
    expires_at  TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('open', 'claimed', 'expired', 'cancelled')),
    claimed_at  TEXT,
    created_at  TEXT NOT NULL
  ) STRICT;
  CREATE INDEX refund_withdraw_links_open ON refund_withdraw_links(expires_at) WHERE state = 'open';
  -- A link ends once: claimed, expired or cancelled, it never opens again, so a second callback
  -- finds it closed whoever writes.
  CREATE TRIGGER refund_withdraw_links_once BEFORE UPDATE OF state ON refund_withdraw_links
    WHEN OLD.state <> 'open'
    BEGIN SELECT RAISE(ABORT, 'refund_withdraw_links_once: the link is already closed'); END;
  `,
  /* 10: Lightning with the till offline (issue 17) */ `
  -- One signed LNURL-pay link per sale paid offline, journaled before its QR is shown. The nonce
  -- (persisted counter + random bytes) is never used twice; the PIN the cashier types is checked
  -- with the key that signed (key_id), three wrong ones lock it.
  CREATE TABLE offline_payments (
    sale_id      TEXT PRIMARY KEY REFERENCES sales(id),
    nonce        TEXT NOT NULL UNIQUE,
    amount_msat  INTEGER NOT NULL CHECK (amount_msat > 0),
    total        INTEGER NOT NULL CHECK (total > 0),
    currency     TEXT NOT NULL,
    rate         TEXT NOT NULL,
    rate_source  TEXT NOT NULL,
    rate_at      TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    link         TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('pending','paid','locked','confirmed','flagged','cancelled')),
    pin_attempts INTEGER NOT NULL DEFAULT 0 CHECK (pin_attempts >= 0),
    paid_at      TEXT,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
  ) STRICT;
  CREATE INDEX offline_payments_day ON offline_payments(created_at);
  `,
  /* 11: offline payments proven later (issue 17) */ `
  -- What the companion server answered for the link: the node's invoice that paid it (its hash,
  -- the msat the link asked, when it settled), when the till last asked, and for a manager why a
  -- payment was flagged or found paid on a link whose sale was not.
  ALTER TABLE offline_payments ADD COLUMN payment_hash TEXT;
  ALTER TABLE offline_payments ADD COLUMN settled_at TEXT;
  ALTER TABLE offline_payments ADD COLUMN proof_checked_at TEXT;
  ALTER TABLE offline_payments ADD COLUMN proof_note TEXT;
  CREATE INDEX offline_payments_unproven ON offline_payments(created_at) WHERE state IN ('paid', 'flagged');
  `,
];
