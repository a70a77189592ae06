import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHOTS, inView, payCash } from './browser.js';
import { signInAtTill, tillInBrowser } from './served-till.js';

const money = (text: string) => BigInt(text.replace(/[^\d]/g, ''));
const dollars = (cents: bigint) => `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}`;

describe('a shift through the browser: float, sales, paid out, close, the Z report on paper', () => {
  const till = tillInBrowser('till-e2e-shift-', {
    env: (dataDir) => ({ TILL_EXPORT_DIR: join(dataDir, 'exports') }),
  });

  const shots = async (name: string) => {
    const { page } = till;
    for (const [w, h] of [
      [1024, 768],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      const scroll = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
      expect(scroll, `${name} sideways scroll at ${w}×${h}`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: `${SHOTS}/${name}-${w}x${h}.png` });
    }
    await page.setViewportSize({ width: 1024, height: 768 });
  };

  it('opens a shift, sells in both tenders, pays out, closes and prints the Z report', async () => {
    const { page } = till;
    const errors = await signInAtTill(till);
    await page.getByTestId('product-tile').first().waitFor();

    // The register sells without a shift, and says so.
    await page.getByTestId('shift-nudge').waitFor();
    await inView(page, page.getByTestId('nudge-open-shift'), 'the nudge’s Open shift');
    await shots('register-no-shift');
    await page.getByTestId('nudge-open-shift').click();

    // The float: two $20 notes and four $5 notes.
    const float = page.getByTestId('float');
    const more = (face: string) =>
      float.getByTestId('denomination').filter({ hasText: face }).getByTestId('denomination-more');
    await more('$20.00').click();
    await more('$20.00').click();
    for (let i = 0; i < 4; i++) await more('$5.00').click();
    await expect.poll(() => page.getByTestId('float-sum').innerText()).toBe('$60.00');
    await inView(page, page.getByTestId('open-shift'), 'Open shift');
    await shots('shift-open-float');
    await page.getByTestId('open-shift').click();
    await expect.poll(() => page.getByTestId('shift-state').innerText()).toBe('Shift #1 open');
    await shots('shift-open');

    // A cash sale and a Lightning sale.
    await page.getByTestId('nav-register').click();
    const single = page.locator('[data-testid="product-tile"][data-variants="1"]');
    await single.first().click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(1);
    await payCash(page);
    await page.getByTestId('new-sale').click();
    expect(await page.getByTestId('shift-nudge').count()).toBe(0);
    await single.nth(1).click();
    await expect.poll(() => page.getByTestId('cart-line').count()).toBe(1);
    await page.getByTestId('charge-button').click();
    await page.getByTestId('demo-pay').click();
    await page.getByTestId('sale-paid').waitFor();
    await page.getByTestId('new-sale').click();

    // $7.30 paid out for milk.
    await page.getByTestId('nav-shift').click();
    await page.getByTestId('paid-out').click();
    await page.getByTestId('movement-amount').fill('7.30');
    await page.getByTestId('movement-reason').fill('Milk from the corner shop');
    await page.getByTestId('movement-save').click();
    await page.getByTestId('toast').filter({ hasText: 'Paid out recorded' }).waitFor();
    await page.getByTestId('no-sale').click();
    await page.getByTestId('movement-save').click();
    await page.getByTestId('toast').filter({ hasText: 'Drawer opened' }).waitFor();

    // Close: the drawer counted 35 ¢ short, seen before confirming.
    await page.getByTestId('close-shift').click();
    const expected = money(await page.getByTestId('close-expected').innerText());
    await page.getByTestId('count-type-total').click();
    await page.getByTestId('count-total').fill(dollars(expected - 35n));
    await expect.poll(() => page.getByTestId('close-difference').innerText()).toBe('−$0.35');
    await inView(page, page.getByTestId('confirm-close'), 'Close shift');
    await shots('shift-close');
    await page.getByTestId('confirm-close').click();

    const report = page.getByTestId('shift-report');
    await expect.poll(() => report.getByTestId('zr-title').innerText()).toBe('Z report · Shift #1');
    expect(await report.getByTestId('zr-expected').innerText()).toContain(`$${dollars(expected)}`);
    expect(await report.getByTestId('zr-difference').innerText()).toContain('−$0.35');
    expect(await report.getByTestId('zr-node').innerText()).toContain('Node and journal agree');
    await shots('shift-z-report');

    // On paper: A4 and an 80 mm roll, through Chromium's own print to PDF.
    for (const [name, size] of [
      ['a4', { format: 'A4', margin: { top: '15mm', bottom: '15mm', left: '15mm', right: '15mm' } }],
      ['80mm', { width: '80mm', height: '300mm' }],
    ] as const) {
      const pdf = join(SHOTS, `shift-z-report-${name}.pdf`);
      await page.pdf({ path: pdf, printBackground: true, ...size });
      execFileSync('pdftoppm', [
        '-png',
        '-r',
        '90',
        '-f',
        '1',
        '-l',
        '1',
        pdf,
        join(SHOTS, `shift-z-report-${name}`),
      ]);
      const text = execFileSync('pdftotext', ['-layout', pdf, '-']).toString();
      for (const words of [
        'Z report · Shift #1',
        'Opening float',
        '$60.00',
        'Paid out',
        'Milk from the corner shop',
        'Expected in the drawer',
        'Short',
        '−$0.35',
        'Node and journal agree',
        'No-sale openings',
      ]) {
        expect(text, `${name} PDF`).toContain(words);
      }
      // Only the report is printed: not the register behind it, nor the buttons over it.
      expect(text).not.toContain('Print or save as PDF');
      expect(text).not.toContain('Reconcile');
    }

    await page.getByTestId('report-csv').click();
    await page.getByTestId('toast').filter({ hasText: 'Saved shift_1_Z.csv' }).waitFor();
    const csv = readFileSync(join(till.dir.path, 'exports', 'shift_1_Z.csv'), 'utf8');
    expect(csv).toContain('cash,difference,USD,-0.35');

    // Past shifts keep the Z report, reprinted as it was.
    await page.getByTestId('report-close').click();
    await expect.poll(() => page.getByTestId('shift-state').innerText()).toBe('No shift open');
    await page.getByTestId('past-shift').first().waitFor();
    await shots('shift-past');
    await page.getByTestId('past-z').first().click();
    await expect.poll(() => report.getByTestId('zr-difference').innerText()).toContain('−$0.35');
    expect(errors).toEqual([]);
  }, 180_000);
});
