// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TillApi } from '../../../shared/contract/index.js';
import {
  DEFAULT_RECEIPT_SETTINGS,
  LOGO_TOO_LARGE,
  MAX_LOGO_BYTES,
  type ReceiptSettings as Settings,
} from '../../../shared/receipt/settings.js';
import { ShellContext, type Shell } from '../context.js';
import { ReceiptActions } from '../print/ReceiptActions.js';
import { fakeTill, status } from '../test-support.js';
import { ReceiptSettings } from './ReceiptSettings.js';

afterEach(() => {
  cleanup();
  delete window.tillBridge;
  vi.restoreAllMocks();
});

function renderIn(till: TillApi, ui: React.ReactElement) {
  const toast = vi.fn();
  const shell: Shell = {
    till,
    status: status(),
    toast,
    run: async (fn) => {
      try {
        return await fn();
      } catch (err) {
        toast('bad', err instanceof Error ? err.message : String(err));
        return undefined;
      }
    },
  };
  render(<ShellContext.Provider value={shell}>{ui}</ShellContext.Provider>);
  return { toast };
}

/** The desktop app's preload is present: the till prints. */
const asDesktop = () => {
  window.tillBridge = { invoke: vi.fn(), subscribe: vi.fn() };
};

function receiptTill() {
  return fakeTill({
    getReceiptSettings: vi.fn(() => Promise.resolve(DEFAULT_RECEIPT_SETTINGS)),
    updateReceiptSettings: vi.fn((s: Settings) => Promise.resolve(s)),
    listPrinters: vi.fn(() =>
      Promise.resolve({ printers: [{ name: 'EPSON_TM_T20', displayName: 'EPSON TM-T20' }] }),
    ),
    printReceipt: vi.fn(() => Promise.resolve({ printed: true })),
    saveReceiptPdf: vi.fn(() =>
      Promise.resolve({ filename: 'receipt_000042.pdf', path: '/x/receipt_000042.pdf' }),
    ),
  }).till;
}

describe('Settings → Receipts', () => {
  it('in the desktop app chooses the receipt printer from the system’s and saves printing after every sale', async () => {
    asDesktop();
    const till = receiptTill();
    renderIn(till, <ReceiptSettings />);
    const printer = await screen.findByTestId('receipt-printer');
    await screen.findByRole('option', { name: 'EPSON TM-T20' });
    fireEvent.change(printer, { target: { value: 'EPSON_TM_T20' } });
    fireEvent.click(screen.getByTestId('receipt-auto-print'));
    fireEvent.click(screen.getByTestId('receipt-paper-58mm'));
    fireEvent.change(screen.getByTestId('receipt-footer'), { target: { value: 'See you soon' } });
    fireEvent.click(screen.getByTestId('receipt-save'));
    await waitFor(() =>
      expect(till.updateReceiptSettings).toHaveBeenCalledWith({
        ...DEFAULT_RECEIPT_SETTINGS,
        printerName: 'EPSON_TM_T20',
        autoPrint: true,
        paper: '58mm',
        footer: 'See you soon',
      }),
    );
  });

  it('in a browser asks the till for no printers and says where printing happens', async () => {
    const till = receiptTill();
    renderIn(till, <ReceiptSettings />);
    expect((await screen.findByTestId('receipt-browser-note')).textContent).toMatch(/browser’s print dialog/);
    expect(till.listPrinters).not.toHaveBeenCalled();
    expect(screen.queryByTestId('receipt-auto-print')).toBeNull();
  });

  it('refuses a logo too large before sending it, with the reason', async () => {
    const till = receiptTill();
    renderIn(till, <ReceiptSettings />);
    const input = await screen.findByTestId('receipt-logo-file');
    const big = new File([new Uint8Array(MAX_LOGO_BYTES + 1)], 'logo.png', { type: 'image/png' });
    fireEvent.change(input, { target: { files: [big] } });
    expect((await screen.findByTestId('receipt-logo-error')).textContent).toBe(LOGO_TOO_LARGE);
    fireEvent.click(screen.getByTestId('receipt-save'));
    await waitFor(() => expect(till.updateReceiptSettings).toHaveBeenCalledWith(DEFAULT_RECEIPT_SETTINGS));
  });
});

describe('Print receipt and Save as PDF', () => {
  it('in the desktop app the till prints and saves the PDF, and says where it went', async () => {
    asDesktop();
    const till = receiptTill();
    const open = vi.spyOn(window, 'open').mockReturnValue(null);
    const { toast } = renderIn(till, <ReceiptActions saleId="s-42" />);
    fireEvent.click(screen.getByTestId('print-receipt'));
    await waitFor(() => expect(toast).toHaveBeenCalledWith('good', 'Receipt sent to the printer'));
    expect(till.printReceipt).toHaveBeenCalledWith({ saleId: 's-42' });
    fireEvent.click(screen.getByTestId('save-receipt-pdf'));
    await waitFor(() => expect(toast).toHaveBeenCalledWith('good', 'Saved receipt_000042.pdf in Downloads'));
    expect(open).not.toHaveBeenCalled();
  });

  it('in a browser opens the receipt’s print view with the print dialog, and never asks the till to print', () => {
    const till = receiptTill();
    const open = vi.spyOn(window, 'open').mockReturnValue(null);
    renderIn(till, <ReceiptActions saleId="s-42" />);
    fireEvent.click(screen.getByTestId('print-receipt'));
    fireEvent.click(screen.getByTestId('save-receipt-pdf'));
    expect(open).toHaveBeenCalledTimes(2);
    expect(open).toHaveBeenCalledWith('#print-receipt?sale=s-42&print=1', '_blank', 'noopener');
    expect(till.printReceipt).not.toHaveBeenCalled();
    expect(till.saveReceiptPdf).not.toHaveBeenCalled();
  });
});
