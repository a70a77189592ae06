import { StrictMode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { parsePrintHash } from '../../shared/receipt/print-url.js';
import { parseShiftReportHash } from '../../shared/receipt/shift-report-url.js';
import { App } from './App.js';
import { DisplayScreen } from './display/DisplayScreen.js';
import { PrintView } from './print/PrintView.js';
import { ShiftReportPrintView } from './print/ShiftReportPrintView.js';
import './app.css';

const root = createRoot(document.getElementById('root')!);
const printRoute = parsePrintHash(location.hash);
const reportRoute = parseShiftReportHash(location.hash);
if (location.hash.startsWith('#/display') || location.pathname === '/display') {
  // The customer-facing display: the second monitor's window, or a paired tablet (README).
  root.render(
    <StrictMode>
      <DisplayScreen />
    </StrictMode>,
  );
} else if (reportRoute) {
  // The desktop app's print window for a shift report (electron/main/printer.ts).
  flushSync(() => root.render(<ShiftReportPrintView route={reportRoute} />));
} else if (printRoute) {
  // Drawn before the page's load event: the desktop app prints once the page has loaded.
  flushSync(() => root.render(<PrintView route={printRoute} />));
} else {
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
