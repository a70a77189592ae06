import QRCode from 'qrcode';
import { useEffect, useRef, useState } from 'react';
import type { CustomerDisplayConfig } from '../../../shared/domain/display-settings.js';
import { useShell } from '../context.js';

/** The pairing address as a QR: plain text, for a tablet's camera. */
function PairingQr({ url }: { url: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current) void QRCode.toCanvas(canvas.current, url, { margin: 2, width: 220 });
  }, [url]);
  return <canvas ref={canvas} data-testid="pairing-qr" width={220} height={220} />;
}

/**
 * Settings → Customer display (owner): the display on the shop's network (off by default), the
 * one-time pairing QR, the paired displays with Revoke, and the desktop app's second monitor
 * (README, customer display).
 */
export function CustomerDisplaySettings() {
  const { till, run, toast } = useShell();
  const [config, setConfig] = useState<CustomerDisplayConfig | null>(null);
  const [lanEnabled, setLanEnabled] = useState(false);
  const [address, setAddress] = useState('');
  const [port, setPort] = useState('4243');
  /** Which screen the desktop app's second window opens on: '' none, '0' the first that is not the main one, else its id. */
  const [monitor, setMonitor] = useState('');
  const [pairing, setPairing] = useState<{ url: string; expiresAt: string } | null>(null);

  const show = (c: CustomerDisplayConfig) => {
    setConfig(c);
    setLanEnabled(c.settings.lanEnabled);
    setAddress(c.settings.lanAddress);
    setPort(String(c.settings.lanPort));
    setMonitor(c.settings.monitorId === null ? '' : String(c.settings.monitorId));
  };
  useEffect(() => {
    void run(async () => show(await till.getCustomerDisplay()));
  }, [till, run]);

  const save = () =>
    void run(async () => {
      show(
        await till.updateCustomerDisplay({
          settings: {
            lanEnabled,
            lanAddress: address.trim(),
            lanPort: Number(port) || 4243,
            monitorId: monitor === '' ? null : Number(monitor),
          },
        }),
      );
      setPairing(null);
      toast('good', 'Customer display saved');
    });
  const pair = () =>
    void run(async () => {
      const { code, expiresAt } = await till.startDisplayPairing();
      const s = config?.settings;
      setPairing({ url: `http://${s?.lanAddress}:${s?.lanPort}/pair?code=${code}`, expiresAt });
    });
  const revoke = (id: string) =>
    void run(async () => {
      show(await till.revokeDisplay({ id }));
      toast('good', 'Display revoked');
    });

  return (
    <form className="card" data-no-scan onSubmit={(e) => e.preventDefault()} data-testid="customer-display">
      <h2>Customer display</h2>
      <p className="muted">
        What the customer sees: the cart, the tip choice, the QR and “Paid”. Nothing private is shown.
      </p>
      {config && config.monitors.length > 0 ? (
        <label>
          On a monitor of this till
          <select value={monitor} onChange={(e) => setMonitor(e.target.value)} data-testid="display-monitor">
            <option value="">No customer screen</option>
            <option value="0">The first screen that is not the main one</option>
            {config.monitors.map((m) => (
              <option key={m.id} value={String(m.id)}>
                {m.label} · {m.width}×{m.height}
                {m.primary ? ' (the main screen, where the till is)' : ''}
              </option>
            ))}
            {monitor !== '' && monitor !== '0' && !config.monitors.some((m) => String(m.id) === monitor) && (
              <option value={monitor}>A screen not plugged in now</option>
            )}
          </select>
        </label>
      ) : (
        <label className="toggle">
          <input
            type="checkbox"
            checked={monitor !== ''}
            onChange={(e) =>
              setMonitor(e.target.checked ? (config?.settings.monitorId?.toString() ?? '0') : '')
            }
          />{' '}
          On a second monitor (desktop app)
        </label>
      )}
      <label className="toggle">
        <input type="checkbox" checked={lanEnabled} onChange={(e) => setLanEnabled(e.target.checked)} /> On a
        tablet or phone on the shop’s network
      </label>
      {lanEnabled && (
        <>
          <label>
            This till’s address on the network
            <input value={address} onChange={(e) => setAddress(e.target.value)} placeholder="192.168.1.20" />
          </label>
          <label>
            Port
            <input inputMode="numeric" value={port} onChange={(e) => setPort(e.target.value)} />
          </label>
        </>
      )}
      <button className="btn primary" type="button" onClick={save}>
        Save
      </button>
      {config?.settings.lanEnabled && (
        <>
          <button className="btn" type="button" onClick={pair} data-testid="pair-display">
            Pair a display
          </button>
          {pairing && (
            <div>
              <p className="muted">
                Scan with the tablet (one device, until {new Date(pairing.expiresAt).toLocaleTimeString()}):
              </p>
              <PairingQr url={pairing.url} />
            </div>
          )}
          <ul>
            {config.displays.map((d) => (
              <li key={d.id}>
                Paired {new Date(d.pairedAt).toLocaleString()}{' '}
                <button className="btn" type="button" onClick={() => revoke(d.id)}>
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </form>
  );
}
