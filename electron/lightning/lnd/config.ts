import { X509Certificate } from 'node:crypto';
import { BackendError } from '../backend.js';

/**
 * LND connection details as a manager gives them: an `lndconnect://` URI (what Zeus,
 * RTL, Umbrel and Start9 show as a QR code) or the REST address, tls.cert and a hex macaroon.
 */
export interface LndConfig {
  /** https://host:port of the REST gateway. */
  restUrl: string;
  /** PEM; pinned when present. Absent only for a node behind a publicly trusted certificate. */
  tlsCertPem: string | null;
  macaroonHex: string;
}

export interface LndConnectionInput {
  /** `lndconnect://host:port?cert=…&macaroon=…` — takes precedence over the separate fields. */
  uri?: string;
  /** host:port or https://host:port */
  restUrl?: string;
  /** PEM text of tls.cert, or its base64 / base64url DER. */
  tlsCert?: string;
  /** Hex (as `xxd -p -c 1000 invoice.macaroon` prints it) or base64 / base64url. */
  macaroon?: string;
}

function reject(message: string): never {
  throw new BackendError('Rejected', message);
}

function base64urlToBuffer(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function derToPem(der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** A certificate in any of the forms people paste, as PEM; checked to be one. */
export function normaliseCertificate(text: string): string {
  const trimmed = text.trim();
  const pem = trimmed.includes('-----BEGIN CERTIFICATE-----')
    ? `${trimmed}\n`
    : derToPem(base64urlToBuffer(trimmed.replace(/\s+/g, '')));
  try {
    new X509Certificate(pem);
  } catch {
    reject(
      "The TLS certificate is not readable: paste the whole tls.cert file, from '-----BEGIN CERTIFICATE-----' to the end.",
    );
  }
  return pem;
}

export function normaliseMacaroon(text: string): string {
  const trimmed = text.trim().replace(/\s+/g, '');
  if (trimmed === '') reject('The macaroon is empty: paste the hex of invoice.macaroon.');
  const hex =
    /^[0-9a-fA-F]+$/.test(trimmed) && trimmed.length % 2 === 0
      ? trimmed.toLowerCase()
      : base64urlToBuffer(trimmed).toString('hex');
  // Every V2 macaroon starts with the version byte 0x02.
  if (!hex.startsWith('02') || hex.length < 64) {
    reject('That is not an LND macaroon: paste the hex of invoice.macaroon (it starts with 0201).');
  }
  return hex;
}

function normaliseRestUrl(text: string): string {
  const trimmed = text.trim();
  const withScheme = /^[a-z]+:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    reject(`"${trimmed}" is not a host:port address. Example: 192.168.1.20:8080`);
  }
  if (url.protocol !== 'https:') reject("LND's REST interface is always https: use https://host:port.");
  if (url.pathname !== '/' || url.search !== '') reject('Give only the host and port of LND, no path.');
  return `https://${url.host}`;
}

export function parseLndConfig(input: LndConnectionInput): LndConfig {
  if (input.uri && input.uri.trim() !== '') {
    const raw = input.uri.trim();
    if (!raw.toLowerCase().startsWith('lndconnect://')) {
      reject('An LND connection URI starts with lndconnect://');
    }
    let url: URL;
    try {
      url = new URL(`https://${raw.slice('lndconnect://'.length)}`);
    } catch {
      reject('The lndconnect URI is not readable: copy it again from the node.');
    }
    const macaroon = url.searchParams.get('macaroon');
    if (!macaroon) reject('The lndconnect URI has no macaroon.');
    const cert = url.searchParams.get('cert');
    return {
      restUrl: `https://${url.host}`,
      tlsCertPem: cert ? derToPemChecked(cert) : null,
      macaroonHex: normaliseMacaroon(macaroon),
    };
  }
  if (!input.restUrl || input.restUrl.trim() === '') reject('Enter the REST address of LND (host:port).');
  if (!input.macaroon) reject('Paste a macaroon (invoice.macaroon is enough).');
  return {
    restUrl: normaliseRestUrl(input.restUrl),
    tlsCertPem: input.tlsCert && input.tlsCert.trim() !== '' ? normaliseCertificate(input.tlsCert) : null,
    macaroonHex: normaliseMacaroon(input.macaroon),
  };
}

function derToPemChecked(base64url: string): string {
  return normaliseCertificate(derToPem(base64urlToBuffer(base64url)));
}
