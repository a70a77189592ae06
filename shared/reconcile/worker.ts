import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { move, transferableSymbol, valueSymbol } from 'piscina';
import { classifyPartition, invoiceKey, orderKey, partitionOf, saleKey } from './classify.js';
import { decodeRecords, encodeInvoice, encodeOrder, encodeResult, encodeSale } from './codec.js';
import type { JournalSale, NodeInvoice, ShopifyOrder } from './types.js';
import { addToSummary, emptySummary } from './types.js';
import type { ReconcileSummary } from './types.js';

/**
 * Pool worker: one task is one or more whole partitions: the records still in the main
 * thread's memory as one transferred ArrayBuffer, plus the paths of the partitions' spill files
 * (read here, so spilled bytes never cross threads). The reply is the results, encoded by
 * codec.ts in one transferred buffer, and their summary.
 */

export interface ClassifyTask {
  kind: 'classify';
  /** The task's first partition (names its checkpoint file). */
  partition: number;
  data: ArrayBuffer;
  files: string[];
  /** The task's bytes in each shard file, in source and shard order. */
  ranges: { file: string; start: number; end: number }[];
  /** Whether paid sales should have Shopify orders (classify.ts ClassifyOptions). */
  orders: boolean;
}

/** Read one shard of a sharded source, encode and partition it into one file. */
export interface MapTask {
  kind: 'map';
  source: 'node' | 'journal' | 'shopify';
  module: string;
  args: unknown;
  shard: number;
  shards: number;
  partitions: number;
  file: string;
}

export interface MapReply {
  records: number;
  offsets: number[];
}

export interface ClassifyReply {
  partition: number;
  data: ArrayBuffer;
  ignoredInvoices: number;
  summary: ReconcileSummary;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

type ShardReader = (
  args: unknown,
  shard: number,
  shards: number,
) => AsyncIterable<unknown> | Iterable<unknown>;

async function mapTask(task: MapTask): Promise<MapReply> {
  // A TypeScript module (tests, bench, under tsx) loads through tsx's require hook: its ESM
  // loader hooks do not reach dynamic imports inside worker threads on Node 20.
  const mod = (
    task.module.endsWith('.ts')
      ? (createRequire(import.meta.url)(task.module) as unknown)
      : await import(pathToFileURL(task.module).href)
  ) as { readShard?: ShardReader };
  if (typeof mod.readShard !== 'function') throw new Error(`${task.module} exports no readShard()`);
  const buckets: string[][] = Array.from({ length: task.partitions }, () => []);
  const keyed =
    task.source === 'node'
      ? (r: unknown) => [invoiceKey(r as NodeInvoice), encodeInvoice(r as NodeInvoice)] as const
      : task.source === 'journal'
        ? (r: unknown) => [saleKey(r as JournalSale), encodeSale(r as JournalSale)] as const
        : (r: unknown) => [orderKey(r as ShopifyOrder), encodeOrder(r as ShopifyOrder)] as const;
  let records = 0;
  for await (const record of mod.readShard(task.args, task.shard, task.shards)) {
    const [key, line] = keyed(record);
    buckets[partitionOf(key, task.partitions)]!.push(line);
    records++;
  }
  const offsets = [0];
  const chunks: Buffer[] = [];
  let at = 0;
  for (const bucket of buckets) {
    const bytes = Buffer.from(bucket.join(''), 'utf8');
    chunks.push(bytes);
    at += bytes.length;
    offsets.push(at);
  }
  // Sales and payments of the period: the till's user only (engine.ts, PRIVATE_FILE).
  writeFileSync(task.file, Buffer.concat(chunks, at), { mode: 0o600 });
  return { records, offsets };
}

function readRange(file: string, start: number, end: number): string {
  const buf = Buffer.allocUnsafe(end - start);
  const fd = openSync(file, 'r');
  try {
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, start + got);
      if (n === 0) throw new Error(`${file} ends before byte ${end}`);
      got += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf.toString('utf8');
}

export default function task(t: ClassifyTask | MapTask): ClassifyReply | Promise<MapReply> {
  return t.kind === 'map' ? mapTask(t) : classifyTask(t);
}

function classifyTask(task: ClassifyTask): ClassifyReply {
  // Each source's records keep their order: shards in order, then the main thread's spill
  // file, then what was still in its memory (a source is either sharded or streamed).
  const input = { node: [], journal: [], shopify: [] };
  for (const r of task.ranges) decodeRecords(readRange(r.file, r.start, r.end), input);
  for (const file of task.files) decodeRecords(readFileSync(file, 'utf8'), input);
  decodeRecords(decoder.decode(new Uint8Array(task.data)), input);
  const { results, ignoredInvoices } = classifyPartition(input, { orders: task.orders });
  const summary = emptySummary();
  summary.ignoredInvoices = ignoredInvoices;
  const lines = new Array<string>(results.length);
  for (let i = 0; i < results.length; i++) {
    const r = results[i]!;
    addToSummary(summary, r);
    lines[i] = encodeResult(r);
  }
  const bytes = encoder.encode(lines.join(''));
  const reply: ClassifyReply = {
    partition: task.partition,
    data: bytes.buffer,
    ignoredInvoices,
    summary,
  };
  // piscina's Transferable protocol: the reply travels as is, its buffer moved, not copied.
  return move({ [transferableSymbol]: [reply.data], [valueSymbol]: reply }) as unknown as ClassifyReply;
}
