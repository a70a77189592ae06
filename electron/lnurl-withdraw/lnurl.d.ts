/**
 * The part of chill117's `lnurl` (0.27, CommonJS, no types of its own) the till uses: its server,
 * its bech32 encoder, lnurl-offline's signed URLs, and the custom-backend base class (re-exported
 * from lightning-backends).
 */
declare module 'lnurl' {
  import type { Server as HttpServer } from 'node:http';

  export interface ServerOptions {
    host: string;
    port: number;
    listen?: boolean;
    url?: string | null;
    endpoint?: string;
    lightning?: { backend: string | { path: string }; config?: Record<string, unknown> };
    store?: { backend: 'memory'; config?: { noWarning?: boolean } };
    /** Keys whose signed links (lnurl-offline) the server accepts (the companion, issue 17). */
    auth?: { apiKeys: ApiKey[] };
    /** Defaults for payRequest links: comment length (0: none), metadata, success action. */
    payRequest?: { commentAllowed?: number; metadata?: string; successAction?: unknown };
  }

  /** A hook's callback: the hook's arguments, then `next` (an error with `status` answers the wallet with it). */
  export type HookCallback = (...args: unknown[]) => void;

  export interface Server {
    options: ServerOptions & { url: string };
    app: { webServer: HttpServer | null };
    onReady(): Promise<void>;
    bindToHook(name: string, callback: HookCallback): void;
    createUrl(
      secret: string,
      tag: 'withdrawRequest',
      params: { minWithdrawable: string; maxWithdrawable: string; defaultDescription: string },
      options?: { uses?: number },
    ): Promise<unknown>;
    getCallbackUrl(params?: Record<string, string>): string;
    /** Its events, e.g. 'request:received' / 'request:processed' with `{ hash, method: 'info' | 'action', req }`. */
    on(event: string, listener: (...args: unknown[]) => void): this;
    close(options?: { force?: boolean; store?: boolean }): Promise<void>;
  }

  /** An API key as lnurl-offline signs and checks with it (offline devices, issue 17). */
  export interface ApiKey {
    id: string;
    key: string;
    encoding?: 'hex' | 'base64' | 'utf8';
  }

  const lnurl: {
    createServer(options: ServerOptions): Server;
    encode(url: string): string;
    decode(encoded: string): string;
    /** lnurl-offline: `baseUrl?` + the query (id, nonce, tag, params) signed with HMAC-SHA256. */
    createSignedUrl(
      apiKey: ApiKey,
      tag: string,
      params: Record<string, string>,
      options: { baseUrl: string; overrides?: Record<string, string>; shorten?: boolean },
    ): string;
  };
  export default lnurl;
}
