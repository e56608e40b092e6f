import { type AuthStrategy, CrmsyncError } from '@crmsync/core';
import { type ServiceAccountCredentials, signServiceAccountJwt } from './jwt.js';

/** POSTs a form to the token endpoint; returns the status and parsed JSON body. */
export type FormPost = (
  url: string,
  form: URLSearchParams,
  signal: AbortSignal,
) => Promise<{ status: number; body: Record<string, unknown> }>;

/** Hands out a bearer token, fetching a new one shortly before the old one expires. */
export interface GoogleTokenSource {
  token(signal: AbortSignal): Promise<string>;
  /** Forgets the cached token (after a 401), so the next call trades again. */
  invalidate(): void;
  /** The private key or client secret and refresh token, and the current token: kept out of errors. */
  secrets(): string[];
}

export type GoogleCredentials =
  | { kind: 'service-account'; key: ServiceAccountCredentials; scopes: string[] }
  | { kind: 'oauth-refresh'; clientId: string; clientSecret: string; refreshToken: string };

const EARLY_MS = 60_000;

/**
 * Service account: sign an RS256 JWT (audience = the token URL) and trade it with
 * `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`. OAuth user: trade the refresh
 * token with `grant_type=refresh_token`. Either way the token is cached until a minute
 * before `expires_in` runs out, and concurrent callers share one exchange.
 */
export function createTokenSource(
  credentials: GoogleCredentials,
  tokenUrl: string,
  post: FormPost,
): GoogleTokenSource {
  let cached: { token: string; expiresAt: number } | undefined;
  let pending: Promise<string> | undefined;

  const exchange = async (signal: AbortSignal): Promise<string> => {
    const form =
      credentials.kind === 'service-account'
        ? new URLSearchParams({
            grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
            assertion: signServiceAccountJwt(credentials.key, {
              scopes: credentials.scopes,
              audience: tokenUrl,
            }),
          })
        : new URLSearchParams({
            grant_type: 'refresh_token',
            client_id: credentials.clientId,
            client_secret: credentials.clientSecret,
            refresh_token: credentials.refreshToken,
          });
    const { status, body } = await post(tokenUrl, form, signal);
    if (status !== 200 || typeof body.access_token !== 'string') {
      const why =
        [body.error, body.error_description].filter(Boolean).join(': ') || `HTTP ${status}`;
      const who =
        credentials.kind === 'service-account' ? credentials.key.client_email : 'the OAuth client';
      throw new CrmsyncError(
        status >= 500 || status === 429 ? 'transient' : 'auth',
        `Google Sheets: token exchange for ${who} refused (${why})`,
        { crm: 'gsheet', status },
      );
    }
    const ttl = Number(body.expires_in ?? 3600) * 1000;
    cached = { token: body.access_token, expiresAt: Date.now() + ttl };
    return body.access_token;
  };

  return {
    async token(signal) {
      if (cached && cached.expiresAt - EARLY_MS > Date.now()) return cached.token;
      pending ??= exchange(signal).finally(() => {
        pending = undefined;
      });
      return pending;
    },
    invalidate() {
      cached = undefined;
    },
    secrets() {
      const held =
        credentials.kind === 'service-account'
          ? [credentials.key.private_key]
          : [credentials.clientSecret, credentials.refreshToken];
      return cached ? [...held, cached.token] : held;
    },
  };
}

/**
 * A token source as core's HttpClient auth: `Authorization: Bearer <token>`, and one fresh
 * trade after a 401 (the token expired or was revoked early).
 */
export function googleAuth(tokens: GoogleTokenSource): AuthStrategy {
  return {
    headers: async (signal) => ({ authorization: `Bearer ${await tokens.token(signal)}` }),
    async refresh(_signal, rejected) {
      // No token went out (the exchange itself was refused): trading again cannot help.
      if (!rejected?.authorization) return false;
      tokens.invalidate();
      return true;
    },
    secrets: () => tokens.secrets(),
  };
}
