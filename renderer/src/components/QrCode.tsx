import QRCode from 'qrcode';
import { useEffect, useRef } from 'react';

/**
 * BOLT11 is bech32, so upper-casing it (with an upper-case "LIGHTNING:" scheme) lets the QR
 * use alphanumeric mode: fewer modules, bigger squares, an easier scan at arm's length.
 */
export function QrCode({ bolt11, size, dimmed }: { bolt11: string; size: number; dimmed: boolean }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!canvas.current) return;
    void QRCode.toCanvas(canvas.current, `LIGHTNING:${bolt11.toUpperCase()}`, {
      errorCorrectionLevel: 'M',
      margin: 3,
      width: size,
      color: { dark: '#111111', light: '#ffffff' },
    });
  }, [bolt11, size]);
  return (
    <canvas
      ref={canvas}
      data-testid="invoice-qr"
      className={`qr ${dimmed ? 'dimmed' : ''}`}
      width={size}
      height={size}
    />
  );
}
