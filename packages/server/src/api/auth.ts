import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Plugin } from 'graphql-yoga';

/** The cookie the dashboard's sign-in page sets (httpOnly), accepted like the bearer header. */
export const TOKEN_COOKIE = 'crmsync_token';

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function bearer(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^Bearer\s+(.+)$/i.exec(value.trim());
  return match ? match[1]!.trim() : null;
}

/** The token cookie's value; a malformed %-encoding is no token (401), never a thrown URIError. */
function cookieToken(cookie: string | null | undefined): string | null {
  for (const part of (cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name !== TOKEN_COOKIE) continue;
    try {
      return decodeURIComponent(rest.join('='));
    } catch {
      return null;
    }
  }
  return null;
}

/** Whether an HTTP request carries the token (Authorization: Bearer, or the dashboard cookie). */
export function httpRequestAuthorized(
  token: string,
  header: (name: string) => string | null | undefined,
): boolean {
  const given = bearer(header('authorization')) ?? cookieToken(header('cookie'));
  return given !== null && sameToken(given, token);
}

/**
 * Whether a graphql-ws connection carries the token: `connectionParams.authorization`
 * (`Bearer …`), `connectionParams.token`, or the dashboard cookie on the upgrade request.
 */
export function socketAuthorized(
  token: string,
  connectionParams: Readonly<Record<string, unknown>> | undefined,
  upgradeHeaders: IncomingHttpHeaders,
): boolean {
  const params = connectionParams ?? {};
  const given =
    bearer(params.authorization ?? params.Authorization) ??
    (typeof params.token === 'string' ? params.token : null) ??
    cookieToken(upgradeHeaders.cookie);
  return given !== null && sameToken(given, token);
}

/** Answers 401 to any HTTP request without the API token. */
export function useApiToken(token: string): Plugin {
  return {
    onRequest({ request, endResponse, fetchAPI }) {
      if (httpRequestAuthorized(token, (name) => request.headers.get(name))) return;
      endResponse(
        new fetchAPI.Response(
          JSON.stringify({
            errors: [{ message: 'Unauthorized: send Authorization: Bearer <CRMSYNC_API_TOKEN>' }],
          }),
          {
            status: 401,
            headers: {
              'content-type': 'application/json',
              'www-authenticate': 'Bearer realm="crmsync"',
            },
          },
        ),
      );
    },
  };
}
