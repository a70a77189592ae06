import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ShiftReportRoute } from '../../../shared/receipt/shift-report-url.js';
import { ShiftReport } from './ShiftReport.js';
import './print.css';

const PX_PER_MM = 96 / 25.4;
const A4_MARGIN_MM = 15;

/** The CSS page for a shift report: A4 with margins, or a roll as long as the report. */
export function reportPageCss(paper: ShiftReportRoute['paper'], heightMm: number): string {
  if (paper === 'a4') return `@page { size: A4; margin: ${A4_MARGIN_MM}mm; }`;
  return `@page { size: 80mm ${heightMm}mm; margin: 0; }`;
}

/**
 * The shift report's print view, for the desktop app's hidden print window
 * (electron/main/printer.ts): the report it was given, alone on its page. As the receipt's view
 * (PrintView.tsx), `data-receipt-ready` says it is drawn and `data-page-height-mm` how long a
 * roll's page is.
 */
export function ShiftReportPrintView({ route }: { route: ShiftReportRoute }) {
  const [pageRule, setPageRule] = useState<string | null>(null);
  const sheet = useRef<HTMLDivElement>(null);

  useEffect(() => {
    document.documentElement.classList.add('print-view');
    document.body.classList.add('print-view');
  }, []);

  useLayoutEffect(() => {
    const drawn = sheet.current;
    if (!drawn) return;
    const { report, paper } = route;
    document.title = `${report.kind} report · Shift ${report.shift.number}`;
    const heightMm = Math.ceil(drawn.getBoundingClientRect().height / PX_PER_MM) + 2;
    setPageRule(reportPageCss(paper, heightMm));
    document.documentElement.dataset.pageHeightMm = String(paper === 'a4' ? 297 : heightMm);
  }, [route]);

  useEffect(() => {
    if (pageRule) document.body.dataset.receiptReady = '1';
  }, [pageRule]);

  return (
    <>
      {pageRule && <style>{pageRule}</style>}
      <div className={`print-page shift-report-page ${route.paper === 'a4' ? 'a4' : 'roll'}`} ref={sheet}>
        <ShiftReport report={route.report} />
      </div>
    </>
  );
}
