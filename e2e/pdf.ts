import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { SHOTS } from './browser.js';

/** E2E is part of the suite: a missing poppler tool is a failure, never a skip. */
export function needPoppler(...tools: string[]): void {
  for (const tool of tools)
    if (!existsSync(`/usr/bin/${tool}`))
      throw new Error(`${tool} is missing: apt-get install -y poppler-utils`);
}

/** The PDF's text as poppler reads it (what a tax office's tools would read), white space folded. */
export function pdfText(file: string, opts: { layout: boolean } = { layout: true }): string {
  const args = opts.layout ? ['-layout', file, '-'] : [file, '-'];
  return execFileSync('pdftotext', args, { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

export const pdfInfo = (file: string) => execFileSync('pdfinfo', [file], { encoding: 'utf8' });

/** The PDF's pages as PNGs beside it, to be looked at. */
export function toPngs(file: string): string[] {
  const prefix = file.replace(/\.pdf$/, '');
  execFileSync('pdftoppm', ['-png', '-r', '200', file, prefix]);
  const base = prefix.split('/').pop()!;
  return readdirSync(SHOTS)
    .filter((f) => f.startsWith(`${base}-`) && f.endsWith('.png'))
    .map((f) => join(SHOTS, f));
}

/**
 * A print view (`hash`, under the till's `origin`) printed to SHOTS/<name>.pdf by Chromium, in a
 * page of its own that carries the till's cookie, once the view says the receipt is ready. The
 * last run's PDF and its PNGs are removed first, so what is looked at is this run's.
 */
export async function printViewToPdf(
  browser: Browser,
  page: Page,
  url: string,
  name: string,
): Promise<string> {
  const context = await browser.newContext();
  await context.addCookies(await page.context().cookies());
  const view = await context.newPage();
  try {
    await view.goto(url);
    await view.locator('body[data-receipt-ready="1"]').waitFor();
    const file = join(SHOTS, `${name}.pdf`);
    rmSync(file, { force: true });
    for (const old of readdirSync(SHOTS).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png')))
      rmSync(join(SHOTS, old));
    await view.pdf({ path: file, preferCSSPageSize: true, printBackground: true });
    return file;
  } finally {
    await context.close();
  }
}
