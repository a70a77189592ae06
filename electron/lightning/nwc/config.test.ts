import { getPublicKey } from 'nostr-tools/pure';
import { describe, expect, it } from 'vitest';
import { BackendError } from '../backend.js';
import { parseNwcUri } from './config.js';

const WALLET = 'b889ff5b1513b641e2a139f661a661364979c5beee91842f8f0ef42ab558e9d4';
const SECRET = '71a8c14c1407c113601079c4302dab36460f0ccd0ad506f1f2dc73b5100e4f3c';

function refusal(uri: string): string {
  try {
    parseNwcUri(uri);
  } catch (err) {
    expect(err).toBeInstanceOf(BackendError);
    expect(err).toMatchObject({ kind: 'Rejected' });
    const message = (err as Error).message;
    expect(message).not.toContain(SECRET);
    return message;
  }
  throw new Error(`accepted ${uri}`);
}

describe('NWC connection URI', () => {
  it('reads the example from NIP-47', () => {
    const config = parseNwcUri(
      `nostr+walletconnect://${WALLET}?relay=wss%3A%2F%2Frelay.damus.io&secret=${SECRET}`,
    );
    expect(config).toMatchObject({ walletPubkey: WALLET, relays: ['wss://relay.damus.io/'], lud16: null });
    expect(getPublicKey(config.secretKey)).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(config.secretKey).toString('hex')).toBe(SECRET);
  });

  it('takes several relays (without repeats), lud16, upper-case hex and the slash-less form', () => {
    const config = parseNwcUri(
      `  nostr+walletconnect:${WALLET.toUpperCase()}?relay=wss://a.example&relay=ws://127.0.0.1:7000&relay=wss://a.example&secret=${SECRET.toUpperCase()}&lud16=shop%40example.com `,
    );
    expect(config.walletPubkey).toBe(WALLET);
    expect(config.relays).toEqual(['wss://a.example/', 'ws://127.0.0.1:7000/']);
    expect(config.lud16).toBe('shop@example.com');
  });

  it.each([
    [
      'another scheme',
      `nostrwalletconnect://${WALLET}?relay=wss://r.example&secret=${SECRET}`,
      /starts with nostr\+walletconnect/,
    ],
    [
      'a short pubkey',
      `nostr+walletconnect://${WALLET.slice(2)}?relay=wss://r.example&secret=${SECRET}`,
      /public key/,
    ],
    ['an npub', `nostr+walletconnect://npub1xyz?relay=wss://r.example&secret=${SECRET}`, /public key/],
    ['no relay', `nostr+walletconnect://${WALLET}?secret=${SECRET}`, /no relay/],
    [
      'an https relay',
      `nostr+walletconnect://${WALLET}?relay=https://r.example&secret=${SECRET}`,
      /websocket/,
    ],
    [
      'a relay that is no URL',
      `nostr+walletconnect://${WALLET}?relay=relay.example&secret=${SECRET}`,
      /not a URL/,
    ],
    ['no secret', `nostr+walletconnect://${WALLET}?relay=wss://r.example`, /no secret/],
    [
      'a short secret',
      `nostr+walletconnect://${WALLET}?relay=wss://r.example&secret=${SECRET.slice(1)}`,
      /64 hex/,
    ],
    [
      'a zero secret',
      `nostr+walletconnect://${WALLET}?relay=wss://r.example&secret=${'0'.repeat(64)}`,
      /not a valid key/,
    ],
  ])('refuses %s with a message that says what to do', (_, uri, message) => {
    expect(refusal(uri)).toMatch(message);
  });

  it('never repeats the secret, even a malformed one', () => {
    const bad = `${SECRET.slice(0, 60)}zzzz`;
    const message = refusal(`nostr+walletconnect://${WALLET}?relay=wss://r.example&secret=${bad}`);
    expect(message).not.toContain(bad);
    expect(message).not.toContain(SECRET.slice(0, 60));
  });
});
