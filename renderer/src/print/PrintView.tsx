import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { ReceiptDocument } from '../../../shared/receipt/document.js';
import type { PrintRoute } from '../../../shared/receipt/print-url.js';
import { connectTill, errorMessage } from '../till-client.js';
import { ReceiptPrint } from './ReceiptPrint.js';
import './print.css';

const PX_PER_MM = 96 / 25.4;
/** A4's margins; a thermal roll is printed edge to edge, the receipt keeps its own padding. */
const A4_MARGIN_MM = 18;

/**
 * The CSS page for a receipt. A roll has no page height, so the page is as long as the receipt
 * (measured once drawn): one page, cut after the footer, never a half-empty second one.
 */
export function pageCss(paper: ReceiptDocument['paper'], heightMm: number): string {
  if (paper === 'a4') return `@page { size: A4; margin: ${A4_MARGIN_MM}mm; }`;
  return `@page { size: ${paper === '58mm' ? '58mm' : '80mm'} ${heightMm}mm; margin: 0; }`;
}

/**
 * The receipt print view: the document alone on its page, with the @page rule for its paper.
 * The desktop app's hidden print window gives it the document; the browser names the sale and
 * the page asks the till. `data-receipt-ready` says it is drawn (the host prints then), and
 * `data-page-height-mm` how long a roll's page is.
 */
export function PrintView({ route }: { route: PrintRoute }) {
  const [doc, setDoc] = useState<ReceiptDocument | null>(route.kind === 'doc' ? route.doc : null);
  const [problem, setProblem] = useState<string | null>(null);
  const [pageRule, setPageRule] = useState<string | null>(null);
  const sheet = useRef<HTMLDivElement>(null);

  useEffect(() => {
    document.documentElement.classList.add('print-view');
    document.body.classList.add('print-view');
    if (route.kind === 'doc') return;
    const till = connectTill(() => undefined);
    const paper = route.paper ? { paper: route.paper } : {};
    (route.kind === 'sale'
      ? till.getReceipt({ saleId: route.saleId, ...paper })
      : till.getRefundReceipt({ refundId: route.refundId, ...paper })
    ).then(setDoc, (err: unknown) => setProblem(errorMessage(err)));
  }, [route]);

  useLayoutEffect(() => {
    const drawn = sheet.current;
    if (!doc || !drawn) return;
    document.title = doc.kind === 'refund' ? `Refund ${doc.refundNumber}` : `Receipt ${doc.saleNumber}`;
    let live = true;
    // Measured once the logo is decoded: before, it takes no height and the footer would spill
    // onto a second page.
    const images = [...drawn.querySelectorAll('img')].map((img) => img.decode().catch(() => undefined));
    void Promise.all(images).then(() => {
      if (!live) return;
      const heightMm = Math.ceil(drawn.getBoundingClientRect().height / PX_PER_MM) + 2;
      setPageRule(pageCss(doc.paper, heightMm));
      document.documentElement.dataset.pageHeightMm = String(doc.paper === 'a4' ? 297 : heightMm);
    });
    return () => {
      live = false;
    };
  }, [doc]);

  useEffect(() => {
    if (!pageRule) return;
    document.body.dataset.receiptReady = '1';
    // The browser's Print button: the dialog once the page has its size (Save as PDF is in it).
    if (route.kind !== 'doc' && route.print) window.print();
  }, [pageRule, route]);

  if (problem)
    return (
      <div className="print-problem" role="alert" data-testid="print-problem">
        {problem}
      </div>
    );
  if (!doc) return <div className="print-problem">Preparing the receipt…</div>;
  return (
    <>
      {pageRule && <style>{pageRule}</style>}
      {route.kind !== 'doc' && (
        <div className="print-actions">
          <button className="primary" data-testid="print-now" onClick={() => window.print()}>
            Print
          </button>
          <button onClick={() => window.close()}>Close</button>
        </div>
      )}
      <div className="print-page" ref={sheet}>
        <ReceiptPrint doc={doc} />
      </div>
    </>
  );
}
