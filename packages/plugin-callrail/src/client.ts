import type { HttpClient } from '@crmsync/core';

export type CallRailRecord = Record<string, unknown>;

/**
 * Sends one authenticated GET and returns the parsed JSON (retries and limits are its job);
 * `http` is the same client, based at the account, for the declared (restEntity) lists.
 */
export type CallRailTransport = (<T>(url: string, signal: AbortSignal) => Promise<T>) & {
  readonly http: HttpClient;
};

export interface CallRailClientOptions {
  /** `https://api.callrail.com/v3` or a fake's base. */
  baseUrl: string;
  accountId: string;
  transport: CallRailTransport;
}

/** A list endpoint: where it lives and which key holds its records. */
export interface CallRailList {
  /** Path under the account, without `.json` (`calls`, `text-messages`); `null` for `/a.json`. */
  path: string | null;
  key: string;
  /** Event-time field the date filters select on: the entity reads a trailing window. */
  dateField?: string;
  /** Extra query parameters (`fields=…`). */
  query?: Record<string, string>;
}

/**
 * CallRail API v3 for one account: the transport's HttpClient, based at the account, which the
 * declared lists (`entities/list.ts`) page through, and the URLs of the account's endpoints.
 *
 * @example
 * const body = await client.get<{ accounts: unknown[] }>(client.url(null), signal);
 */
export class CallRailClient {
  readonly accountId: string;
  readonly http: HttpClient;
  private readonly baseUrl: string;
  private readonly transport: CallRailTransport;

  constructor(options: CallRailClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.accountId = options.accountId;
    this.transport = options.transport;
    this.http = options.transport.http;
  }

  url(path: string | null, query: Record<string, string | number | undefined> = {}): string {
    const where =
      path === null ? '/a.json' : `/a/${encodeURIComponent(this.accountId)}/${path}.json`;
    const url = new URL(`${this.baseUrl}${where}`);
    for (const [k, v] of Object.entries(query))
      if (v !== undefined) url.searchParams.set(k, String(v));
    return url.toString();
  }

  get<T>(url: string, signal: AbortSignal): Promise<T> {
    return this.transport<T>(url, signal);
  }
}
