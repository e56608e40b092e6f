import type { IncomingHttpHeaders } from 'node:http';
import { InputError } from '@crmsync/core';

/** The env var listing the origins, besides the server's own, a browser may call the API from. */
export const CORS_ORIGINS_ENV = 'CRMSYNC_CORS_ORIGINS';

/**
 * `CRMSYNC_CORS_ORIGINS` as a set of origins (`https://crm.example.com,http://localhost:5173`).
 * Throws InputError naming an entry that is not an origin: `*` included, since the API takes
 * credentials (the token cookie) and any page could then act as the signed-in user.
 */
export function parseCorsOrigins(raw: string | undefined): ReadonlySet<string> {
  const origins = new Set<string>();
  for (const entry of (raw ?? '').split(',')) {
    const origin = entry.trim();
    if (origin === '') continue;
    let parsed: URL | null = null;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = null;
    }
    if (!parsed || parsed.origin !== origin.replace(/\/$/, '') || parsed.origin === 'null') {
      throw new InputError(
        CORS_ORIGINS_ENV,
        'comma-separated origins like https://crm.example.com (scheme, host, optional port; no path, no *)',
        origin,
      );
    }
    origins.add(parsed.origin);
  }
  return origins;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Whether a request may proceed as far as its Origin goes: no Origin (curl, scripts, the CLI:
 * not a browser page), the server's own origin (the Host it was reached at, so a proxy that
 * keeps Host works), or one of the allowed origins.
 */
export function originAllowed(headers: IncomingHttpHeaders, allowed: ReadonlySet<string>): boolean {
  const origin = single(headers.origin);
  if (origin === undefined) return true;
  if (allowed.has(origin)) return true;
  const host = single(headers.host);
  if (!host) return false;
  try {
    const { protocol, host: originHost } = new URL(origin);
    // Through URL both sides drop a default port and lower-case the same way.
    const served = new URL(`${protocol}//${host}`).host;
    return (protocol === 'http:' || protocol === 'https:') && originHost === served;
  } catch {
    return false;
  }
}

/** The refusal a cross-origin request gets (HTTP 403 body). */
export const CROSS_ORIGIN_REFUSAL = `Forbidden: cross-origin request; allow the page's origin in ${CORS_ORIGINS_ENV}`;
