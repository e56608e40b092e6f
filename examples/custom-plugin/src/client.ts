import { bearerAuth, HttpClient, RateLimiter, type RequestMetrics } from '@crmsync/core';

/** A lead as Acme's API returns it. */
export interface AcmeLead {
  id: string;
  email: string | null;
  name: string | null;
  phone: string | null;
  status: string;
  created_at: string;
  updated_at: string;
}

export interface AcmeClientOptions {
  baseUrl: string;
  token: string;
  metrics: RequestMetrics;
  /** Acme allows 50 requests per 10 s. */
  requestsPer10s?: number;
}

/**
 * Acme CRM over core's HTTP toolkit: `HttpClient` does auth, retries (honouring Retry-After),
 * error classification and secret redaction; `RateLimiter` keeps to the vendor's limit. The
 * entities say the rest (paths, paging, filters) as declarations, so this is all the code.
 */
export function createAcmeClient(options: AcmeClientOptions): HttpClient {
  return new HttpClient({
    crm: 'acme',
    baseUrl: options.baseUrl,
    auth: bearerAuth(options.token),
    limiter: new RateLimiter([{ requests: options.requestsPer10s ?? 50, perMs: 10_000 }]),
    metrics: options.metrics,
    backoffMs: 200,
  });
}
