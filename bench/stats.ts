/** Latency summary in milliseconds from a list of nanosecond samples. */
export interface Summary {
  n: number;
  p50_ms: number;
  p95_ms: number;
  mean_ms: number;
}

export function summarize(samplesNs: bigint[]): Summary {
  const ms = samplesNs.map((x) => Number(x) / 1e6).sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.floor(q * ms.length))] ?? 0;
  const round = (x: number) => Math.round(x * 1000) / 1000;
  return {
    n: ms.length,
    p50_ms: round(at(0.5)),
    p95_ms: round(at(0.95)),
    mean_ms: round(ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length)),
  };
}

export async function time(n: number, fn: (i: number) => unknown): Promise<bigint[]> {
  const out: bigint[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    out.push(process.hrtime.bigint() - t);
  }
  return out;
}

export const ratio = (a: Summary, b: Summary): number =>
  Math.round((a.p50_ms / Math.max(b.p50_ms, 1e-6)) * 100) / 100;
