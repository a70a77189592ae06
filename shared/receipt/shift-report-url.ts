import { ShiftReport } from '../domain/index.js';
import { fromWire, toWire } from '../contract/wire.js';

/**
 * The shift report's print view inside the renderer (renderer/src/print/ShiftReportPrintView.tsx),
 * beside the receipt's (print-url.ts). The desktop app's hidden print window has no bridge to the
 * till, so the report itself travels in the address (wire JSON: its amounts are bigints), with the
 * paper it is laid out for: A4 for the system's dialog and PDFs, 80mm for the receipt printer.
 */
export const SHIFT_REPORT_ROUTE = '#print-shift-report';

export type ReportPaper = 'a4' | '80mm';

export interface ShiftReportRoute {
  report: ShiftReport;
  paper: ReportPaper;
}

export function shiftReportPrintHash(report: ShiftReport, paper: ReportPaper): string {
  return `${SHIFT_REPORT_ROUTE}?${new URLSearchParams({ report: toWire(report), paper }).toString()}`;
}

/** The shift report print view's route in `hash`, or null for any other page. */
export function parseShiftReportHash(hash: string): ShiftReportRoute | null {
  if (!hash.startsWith(`${SHIFT_REPORT_ROUTE}?`)) return null;
  const q = new URLSearchParams(hash.slice(SHIFT_REPORT_ROUTE.length + 1));
  const text = q.get('report');
  if (text === null) return null;
  try {
    const parsed = ShiftReport.safeParse(fromWire(text));
    if (!parsed.success) return null;
    return { report: parsed.data, paper: q.get('paper') === '80mm' ? '80mm' : 'a4' };
  } catch {
    return null;
  }
}
