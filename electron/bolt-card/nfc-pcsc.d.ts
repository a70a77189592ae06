/** The part of pokusew's `nfc-pcsc` (0.8, CommonJS, no types of its own) the reader process uses. */
declare module 'nfc-pcsc' {
  import type { EventEmitter } from 'node:events';

  export interface Reader extends EventEmitter {
    readonly name: string;
    /** Off: the reader reports the card without trying to read its UID first. */
    autoProcessing: boolean;
    /** An APDU to the card; resolves with its response (data + SW1 SW2). */
    transmit(data: Buffer, responseMaxLength: number): Promise<Buffer>;
    /** NFC Forum Type 2 READ from `blockNumber`, `length` bytes. */
    read(blockNumber: number, length: number, blockSize?: number, packetSize?: number): Promise<Buffer>;
    close(): void;
  }

  export class NFC extends EventEmitter {
    constructor();
    close(): void;
  }
}
