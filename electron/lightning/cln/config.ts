import { X509Certificate } from 'node:crypto';
import { BackendError } from '../backend.js';
import { readRune, RuneFormatError } from './rune.js';

/**
 * Core Lightning connection details as a manager gives them: the clnrest address
 * (`clnrest-port`, `clnrest-protocol`), a rune (`lightning-cli createrune`), and for https the
 * CA certificate clnrest signed its own with (ca.pem next to the node's gRPC certificates).
 */
export interface ClnConfig {
  /** http(s)://host:port, no path. */
  url: string;
  rune: string;
  /** PEM; pinned when present. Absent for http, or a certificate the system already trusts. */
  caCertPem: string | null;
}

export interface ClnConnectionInput {
  /** host:port or http(s)://host:port; https when no scheme is given (clnrest's default). */
  url?: string;
  rune?: string;
  /** PEM text of clnrest's ca.pem. */
  caCert?: string;
}

function reject(message: string): never {
  throw new BackendError('Rejected', message);
}

function normaliseUrl(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') reject('Enter the clnrest address of Core Lightning (host:port).');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    reject(`"${trimmed}" is not a host:port address. Example: 192.168.1.20:3010`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    reject('clnrest speaks https (its default) or http: use https://host:port.');
  }
  if (url.username || url.password) reject('Give the clnrest address without a user name or password.');
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    reject('Give only the host and port of clnrest, no path (the till adds /v1/…).');
  }
  return `${url.protocol}//${url.host}`;
}

export function normaliseRune(text: string): string {
  // People paste the rune as createrune prints it, quotes included.
  const rune = text.trim().replace(/^"(.*)"$/, '$1');
  if (rune === '') reject('Paste a rune (lightning-cli createrune prints one).');
  try {
    readRune(rune);
  } catch (err) {
    // Never echo the rune: it is the credential.
    const why = err instanceof RuneFormatError ? err.message : 'it does not decode';
    reject(`That is not a Core Lightning rune: ${why}.`);
  }
  return rune;
}

function normaliseCaCert(text: string): string {
  const pem = `${text.trim()}\n`;
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    reject("Paste clnrest's CA certificate as PEM (ca.pem, from '-----BEGIN CERTIFICATE-----' to the end).");
  }
  try {
    new X509Certificate(pem);
  } catch {
    reject('The CA certificate is not readable: paste the whole ca.pem file.');
  }
  return pem;
}

export function parseClnConfig(input: ClnConnectionInput): ClnConfig {
  const url = normaliseUrl(input.url ?? '');
  const rune = normaliseRune(input.rune ?? '');
  const ca = input.caCert?.trim() ? normaliseCaCert(input.caCert) : null;
  if (ca && url.startsWith('http:')) {
    reject('A CA certificate only applies to https: use https://host:port, or leave the certificate out.');
  }
  return { url, rune, caCertPem: ca };
}
