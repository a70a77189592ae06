import QRCode from 'qrcode';

/**
 * The sale's QR code as an SVG path, drawn in the same render as the rest of the receipt: a
 * canvas drawn afterwards could still be blank when the host prints or makes the PDF.
 */
export function SaleQr({ code, sizeMm }: { code: string; sizeMm: number }) {
  const { modules } = QRCode.create(code, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  const quiet = 2;
  let d = '';
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) if (modules.get(r, c)) d += `M${c + quiet} ${r + quiet}h1v1h-1z`;
  const side = n + quiet * 2;
  return (
    <svg
      className="receipt-qr"
      data-testid="receipt-qr"
      data-code={code}
      viewBox={`0 0 ${side} ${side}`}
      style={{ width: `${sizeMm}mm`, height: `${sizeMm}mm` }}
      shapeRendering="crispEdges"
      role="img"
      aria-label={`Sale code ${code}`}
    >
      <rect width={side} height={side} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  );
}
