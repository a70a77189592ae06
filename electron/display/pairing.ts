import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { TillError } from '../../shared/contract/index.js';
import {
  CustomerDisplaySettings,
  type CustomerDisplayConfig,
  type Monitor,
} from '../../shared/domain/display-settings.js';
import type { Db } from '../journal/db.js';
import { readSettingValue, writeSettingValue } from '../journal/settings.js';

const KEY = 'customer_display';
/** A pairing QR is good for one device, for five minutes. */
export const PAIRING_TTL_MS = 5 * 60_000;

const Stored = z.object({
  settings: CustomerDisplaySettings,
  /** Each paired device: only the SHA-256 of its credential is kept. */
  devices: z.array(z.object({ id: z.string(), tokenHash: z.string(), pairedAt: z.string() })),
});
type Stored = z.infer<typeof Stored>;

export const DEFAULT_DISPLAY_SETTINGS: CustomerDisplaySettings = {
  lanEnabled: false,
  lanAddress: '',
  lanPort: 4243,
  monitorId: null,
};

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/**
 * Paired customer displays and the owner's display settings (README, customer display). A
 * device that opens the one-time pairing address gets a random credential of its own; the till
 * keeps only its hash, so a copy of the journal pairs nobody. What a display credential may do
 * (receive display events, send the tip) is enforced by the web host (server.ts).
 */
export function createDisplayPairing(
  db: Db,
  now: () => Date,
  log: (m: string, e?: unknown) => void,
  /** The screens attached (the desktop app's Electron `screen`); none in the browser host. */
  monitors: () => Monitor[] = () => [],
) {
  let stored = read();
  let pairing: { code: string; expiresAt: number } | null = null;
  const listeners = new Set<() => void>();

  function read(): Stored {
    const raw = readSettingValue(db, KEY);
    if (raw === null) return { settings: DEFAULT_DISPLAY_SETTINGS, devices: [] };
    const parsed = Stored.safeParse(raw);
    if (parsed.success) return parsed.data;
    log('the customer display settings could not be read; the LAN display is off', parsed.error);
    return { settings: DEFAULT_DISPLAY_SETTINGS, devices: [] };
  }
  function save(next: Stored): void {
    writeSettingValue(db, KEY, next);
    stored = next;
    for (const l of listeners) l();
  }

  return {
    config: (): CustomerDisplayConfig => ({
      settings: stored.settings,
      displays: stored.devices.map(({ id, pairedAt }) => ({ id, pairedAt })),
      monitors: monitors(),
    }),
    settings: () => stored.settings,
    update(settings: CustomerDisplaySettings): CustomerDisplayConfig {
      if (settings.lanEnabled && settings.lanAddress.trim() === '') {
        throw new TillError(
          'ValidationError',
          'Enter this till’s address on the shop’s network, e.g. 192.168.1.20.',
        );
      }
      save({ ...stored, settings });
      return this.config();
    },
    /** A one-time code for the pairing QR; a new one replaces the last. */
    startPairing(): { code: string; expiresAt: string } {
      if (!stored.settings.lanEnabled) {
        throw new TillError('InvalidState', 'Turn on the display on the shop’s network first.');
      }
      const code = randomBytes(18).toString('base64url');
      const expiresAt = now().getTime() + PAIRING_TTL_MS;
      pairing = { code, expiresAt };
      return { code, expiresAt: new Date(expiresAt).toISOString() };
    },
    /** The host: the code from the pairing QR, once, for a fresh display credential; null if not valid. */
    redeem(code: string): string | null {
      const p = pairing;
      if (!p || now().getTime() > p.expiresAt) return null;
      const a = Buffer.from(code);
      const b = Buffer.from(p.code);
      if (a.length !== b.length || !timingSafeEqual(a, b)) return null;
      pairing = null;
      const token = randomBytes(32).toString('base64url');
      save({
        ...stored,
        devices: [
          ...stored.devices,
          { id: randomUUID(), tokenHash: sha256(token).toString('hex'), pairedAt: now().toISOString() },
        ],
      });
      return token;
    },
    /** The host, on every request and message: is this still a paired display's credential? */
    isPaired(token: string | undefined): boolean {
      if (!token) return false;
      const h = sha256(token);
      return stored.devices.some((d) => timingSafeEqual(Buffer.from(d.tokenHash, 'hex'), h));
    },
    revoke(id: string): CustomerDisplayConfig {
      if (!stored.devices.some((d) => d.id === id))
        throw new TillError('NotFound', 'That display is not paired.');
      save({ ...stored, devices: stored.devices.filter((d) => d.id !== id) });
      return this.config();
    },
    /** The host restarts its LAN listener and cuts revoked displays off when this fires. */
    onChange(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
export type DisplayPairing = ReturnType<typeof createDisplayPairing>;
