import { CrmsyncError } from '../contracts/errors.js';

/** Adds credentials to a request; `refresh` is called once after a 401. */
export interface AuthStrategy {
  headers(signal: AbortSignal): Promise<Record<string, string>>;
  /**
   * Gets new credentials after a 401; false when it cannot. `rejected` are the headers the
   * refused request carried: when they are older than the current credentials (another
   * request already refreshed), a strategy can skip the refresh.
   */
  refresh?(signal: AbortSignal, rejected?: Record<string, string>): Promise<boolean>;
  /** Secret values to keep out of errors and logs. */
  secrets(): string[];
}

/** `Authorization: Bearer <token>` (HubSpot private apps, the faker API). */
export function bearerAuth(token: string): AuthStrategy {
  return { headers: async () => ({ authorization: `Bearer ${token}` }), secrets: () => [token] };
}

/** Any fixed header, e.g. CallRail's `Authorization: Token token="…"`. */
export function headerAuth(name: string, value: string, secret: string = value): AuthStrategy {
  return { headers: async () => ({ [name]: value }), secrets: () => [secret] };
}

export interface OAuthRefreshOptions {
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Refresh this long before the token expires. Default 60 s. */
  skewMs?: number;
  /** Header scheme; default `Bearer`. Zoho uses `Zoho-oauthtoken`. */
  scheme?: string;
}

/**
 * OAuth 2 refresh-token flow: gets an access token from `tokenUrl`, refreshes it before it
 * expires (by `expires_in`) and once more after a 401.
 */
export function oauthRefreshAuth(options: OAuthRefreshOptions): AuthStrategy {
  let token: { value: string; expiresAt: number } | null = null;
  let refreshToken = options.refreshToken;
  let inflight: Promise<void> | null = null;
  const skew = options.skewMs ?? 60_000;
  const fetchToken = async (signal: AbortSignal) => {
    const res = await fetch(options.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: options.clientId,
        client_secret: options.clientSecret,
        refresh_token: refreshToken,
      }),
      signal,
    });
    if (!res.ok) {
      throw new CrmsyncError(
        'auth',
        `the OAuth token endpoint refused the refresh token (HTTP ${res.status}); re-authorise the app`,
        { status: res.status },
      );
    }
    const body = (await res.json()) as {
      access_token?: string;
      expires_in?: number;
      refresh_token?: string;
    };
    if (!body.access_token)
      throw new CrmsyncError('auth', 'the OAuth token endpoint answered without an access_token');
    if (body.refresh_token) refreshToken = body.refresh_token;
    token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 1800) * 1000 };
  };
  const ensure = async (signal: AbortSignal, force = false) => {
    if (!force && token && Date.now() < token.expiresAt - skew) return;
    inflight ??= fetchToken(signal).finally(() => {
      inflight = null;
    });
    await inflight;
  };
  return {
    async headers(signal) {
      await ensure(signal);
      return { authorization: `${options.scheme ?? 'Bearer'} ${token?.value ?? ''}` };
    },
    async refresh(signal, rejected) {
      // Several requests refused at once must not each spend a refresh (some vendors rotate
      // the refresh token, so a second exchange with the old one would fail).
      if (inflight) await inflight;
      const current = token ? `${options.scheme ?? 'Bearer'} ${token.value}` : undefined;
      if (current && rejected?.authorization && rejected.authorization !== current) return true;
      await ensure(signal, true);
      return true;
    },
    secrets: () => [options.clientSecret, refreshToken, ...(token ? [token.value] : [])],
  };
}
