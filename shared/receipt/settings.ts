import { z } from 'zod';

/**
 * How the till prints receipts: the owner's logo, header and footer, the paper in the printer,
 * which printer, and whether every sale prints by itself. Pure data shared by the till (which
 * keeps it in the journal's settings table) and Settings (which edits it). The shop's tax id and
 * address stay in the pricing settings, where the tax office's lines were first kept.
 */

export const PAPER_WIDTHS = ['58mm', '80mm', 'a4'] as const;
export const PaperWidth = z.enum(PAPER_WIDTHS);
export type PaperWidth = z.infer<typeof PaperWidth>;

/** What Settings calls each paper. */
export const PAPER_LABEL: Record<PaperWidth, string> = {
  '58mm': '58 mm thermal roll',
  '80mm': '80 mm thermal roll',
  a4: 'A4 sheet',
};

/**
 * A logo is printed 40 mm wide at most on a thermal printer of 203 dpi, about 320 dots, in
 * black and white: a PNG of that is a few kilobytes. The cap keeps the journal row, every print
 * job and the command under the contract's longest string (shared/domain/limits.ts).
 */
export const MAX_LOGO_BYTES = 14 * 1024;
/** The base64 text of MAX_LOGO_BYTES, plus the longest header below. */
const MAX_LOGO_CHARS = Math.ceil(MAX_LOGO_BYTES / 3) * 4 + 'data:image/jpeg;base64,'.length;
const LOGO = /^data:image\/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/]+={0,2}$/;
export const MAX_RECEIPT_TEXT = 300;

export const LOGO_TOO_LARGE = `The logo is too large: choose an image under ${MAX_LOGO_BYTES / 1024} KB (a small PNG, about 300 pixels wide, prints best)`;

export const Logo = z
  .string()
  .max(MAX_LOGO_CHARS, { message: LOGO_TOO_LARGE, abort: true })
  .regex(LOGO, 'The logo must be a PNG, JPEG, GIF or WebP image');

const text = (what: string) =>
  z.string().trim().max(MAX_RECEIPT_TEXT, `Keep the ${what} under ${MAX_RECEIPT_TEXT} characters`);

export const ReceiptSettings = z.object({
  /** A data URL (the owner picks an image; it is kept in the journal, never a path on disk). */
  logo: Logo.nullable(),
  /** Printed under the shop's name ("Open daily 8–18"). */
  header: text('header'),
  /** Printed at the end ("Returns within 30 days with this receipt"). */
  footer: text('footer'),
  paper: PaperWidth,
  /** The desktop app's receipt printer by its system name; null: the system's default printer. */
  printerName: z.string().trim().min(1).max(200).nullable(),
  /** The desktop app prints each sale's receipt when it is paid, without a dialog. */
  autoPrint: z.boolean(),
});
export type ReceiptSettings = z.infer<typeof ReceiptSettings>;

/** A new till: an 80 mm roll (the commonest receipt printer), nothing printed by itself. */
export const DEFAULT_RECEIPT_SETTINGS: ReceiptSettings = {
  logo: null,
  header: '',
  footer: 'Thank you!',
  paper: '80mm',
  printerName: null,
  autoPrint: false,
};
