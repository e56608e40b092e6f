import { type AuthStrategy, CrmsyncError } from '@crmsync/core';

export interface ZohoAuthOptions {
  accountsUrl: string;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  refreshToken?: string | undefined;
  /** A fixed access token (a Self Client's generated token); used until it is refused. */
  accessToken?: string | undefined;
  /** Refresh this long before the token expires. Default 60 s. */
  skewMs?: number;
}

export interface ZohoAuth extends AuthStrategy {
  /** Gets a token if there is none yet; resolves with the `api_domain` it came with. */
  ensure(signal: AbortSignal): Promise<string | undefined>;
}

/**
 * Zoho's OAuth: `Authorization: Zoho-oauthtoken <token>` (never Bearer), tokens from the
 * refresh-token grant on the accounts server of the org's data centre. Odd about Zoho: a
 * refused refresh token comes back as HTTP 200 with `{error: 'invalid_code'}`, and the answer
 * names the API host of the org's data centre in `api_domain`.
 */
export function zohoAuth(options: ZohoAuthOptions): ZohoAuth {
  const canRefresh = !!(options.clientId && options.clientSecret && options.refreshToken);
  let token: { value: string; expiresAt: number } | null = options.accessToken
    ? { value: options.accessToken, expiresAt: Number.POSITIVE_INFINITY }
    : null;
  let apiDomain: string | undefined;
  let inflight: Promise<void> | null = null;
  const skew = options.skewMs ?? 60_000;
  const tokenUrl = `${options.accountsUrl.replace(/\/+$/, '')}/oauth/v2/token`;

  const fetchToken = async (signal: AbortSignal) => {
    if (!canRefresh)
      throw new CrmsyncError(
        'auth',
        'zoho: the access token was refused and no ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN are set to get another',
        { crm: 'zoho' },
      );
    let res: Response;
    try {
      res = await fetch(tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: options.clientId as string,
          client_secret: options.clientSecret as string,
          refresh_token: options.refreshToken as string,
        }),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw error;
      throw new CrmsyncError('transient', `zoho: the accounts server ${tokenUrl} did not answer`, {
        crm: 'zoho',
      });
    }
    const body = (await res.json().catch(() => ({}))) as {
      access_token?: string;
      expires_in?: number;
      api_domain?: string;
      error?: string;
    };
    if (res.status >= 500)
      throw new CrmsyncError('transient', `zoho: the accounts server failed (HTTP ${res.status})`, {
        crm: 'zoho',
        status: res.status,
      });
    if (!res.ok || body.error || !body.access_token)
      throw new CrmsyncError(
        'auth',
        `zoho: the accounts server refused the refresh token (${body.error ?? `HTTP ${res.status}`}); check ZOHO_CLIENT_ID, ZOHO_CLIENT_SECRET and ZOHO_REFRESH_TOKEN, or re-authorise the client`,
        { crm: 'zoho', status: res.status },
      );
    token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
    if (body.api_domain) apiDomain = body.api_domain;
  };
  const ensure = async (signal: AbortSignal, force = false) => {
    if (!force && token && Date.now() < token.expiresAt - skew) return;
    inflight ??= fetchToken(signal).finally(() => {
      inflight = null;
    });
    await inflight;
  };
  const header = () => `Zoho-oauthtoken ${token?.value ?? ''}`;
  return {
    async ensure(signal) {
      await ensure(signal);
      return apiDomain;
    },
    async headers(signal) {
      await ensure(signal);
      return { authorization: header() };
    },
    async refresh(signal, rejected) {
      if (!canRefresh) return false;
      if (inflight) await inflight;
      if (token && rejected?.authorization && rejected.authorization !== header()) return true;
      await ensure(signal, true);
      return true;
    },
    secrets: () =>
      [options.clientSecret, options.refreshToken, options.accessToken, token?.value].filter(
        (s): s is string => !!s,
      ),
  };
}
