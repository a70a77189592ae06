import { StrictMode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { parsePrintHash } from '../../shared/receipt/print-url.js';
import { App } from './App.js';
import { PrintView } from './print/PrintView.js';
import './app.css';

const root = createRoot(document.getElementById('root')!);
const printRoute = parsePrintHash(location.hash);
if (printRoute) {
  // Drawn before the page's load event: the desktop app prints once the page has loaded.
  flushSync(() => root.render(<PrintView route={printRoute} />));
} else {
  root.render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
