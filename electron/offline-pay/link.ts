import lnurl from 'lnurl';
import {
  checkOfflineKey,
  offlineLinkQuery,
  type OfflineKey,
  type OfflineLinkParams,
} from '../../shared/offline-pay/index.js';

/**
 * The signed LNURL-pay link of one offline sale (issue 17), built with no network: the `lnurl`
 * package's lnurl-offline scheme (HMAC-SHA256 of the shared key over the sorted query), at the
 * companion server's `/lnurl` endpoint, with the till's nonce in place of a random one so the
 * link is bound to the sale. The companion (`npm run lnurl-server`) checks it with the same key.
 * Returns the https URL; `lnurl.encode` of it is what the QR carries (LUD-01).
 */
export function signOfflineLink(
  key: OfflineKey,
  serverUrl: string,
  nonce: string,
  params: OfflineLinkParams,
): string {
  checkOfflineKey(key);
  const base = new URL(serverUrl);
  if (base.search || base.hash) throw new Error('The companion server address must not carry a query.');
  const baseUrl = `${base.origin}${base.pathname.replace(/\/+$/, '')}/lnurl`;
  return lnurl.createSignedUrl(
    { id: key.id, key: key.key, encoding: 'hex' },
    'payRequest',
    offlineLinkQuery(params),
    {
      baseUrl,
      overrides: { nonce },
      shorten: false,
    },
  );
}
