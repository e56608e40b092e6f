import { type AuthStrategy, CrmsyncError } from '@crmsync/core';

export type SalesforceFlow =
  | { kind: 'jwt'; clientId: string; username: string; privateKey: string }
  | { kind: 'refresh_token'; clientId: string; clientSecret: string; refreshToken: string }
  | { kind: 'client_credentials'; clientId: string; clientSecret: string };

/** The token answer: no `expires_in` — a session lasts until Salesforce says it is invalid. */
interface TokenAnswer {
  access_token?: string;
  instance_url?: string;
  error?: string;
  error_description?: string;
}

/**
 * Salesforce OAuth against `<login URL>/services/oauth2/token`: the JWT bearer flow (an RS256
 * assertion with `iss` = consumer key, `sub` = username, `aud` = login URL, signed with the
 * connected app's private key), the refresh-token flow, or client credentials. The answer's
 * `instance_url` is the API's base. There is no expiry to plan on: a 401
 * `INVALID_SESSION_ID` makes the HTTP client call `refresh`, which logs in again once, and the
 * request is retried.
 */
export class SalesforceAuth implements AuthStrategy {
  #token: string | undefined;
  #inflight: Promise<void> | undefined;
  instanceUrl: string | undefined;
  /** Logins done (the first and every re-authentication). */
  logins = 0;

  constructor(
    readonly loginUrl: string,
    readonly flow: SalesforceFlow,
  ) {}

  login(signal: AbortSignal): Promise<void> {
    this.#inflight ??= this.#login(signal).finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #form(): Promise<Record<string, string>> {
    const f = this.flow;
    if (f.kind === 'client_credentials')
      return {
        grant_type: 'client_credentials',
        client_id: f.clientId,
        client_secret: f.clientSecret,
      };
    if (f.kind === 'refresh_token')
      return {
        grant_type: 'refresh_token',
        client_id: f.clientId,
        client_secret: f.clientSecret,
        refresh_token: f.refreshToken,
      };
    // Imported for the JWT flow only, not with the plugin: `crmsync list`, syncs of other CRMs
    // and the other flows do without jose's modules.
    const { importPKCS8, SignJWT } = await import('jose');
    let key: Awaited<ReturnType<typeof importPKCS8>>;
    try {
      key = await importPKCS8(f.privateKey.replace(/\\n/g, '\n'), 'RS256');
    } catch {
      throw new CrmsyncError(
        'config',
        'salesforce: SALESFORCE_PRIVATE_KEY is not a PKCS#8 PEM RSA private key (-----BEGIN PRIVATE KEY-----)',
        { crm: 'salesforce', field: 'SALESFORCE_PRIVATE_KEY' },
      );
    }
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(f.clientId)
      .setSubject(f.username)
      .setAudience(this.loginUrl)
      .setExpirationTime('3m')
      .sign(key);
    return { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion };
  }

  async #login(signal: AbortSignal): Promise<void> {
    const url = `${this.loginUrl}/services/oauth2/token`;
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams(await this.#form()),
        signal,
      });
    } catch (error) {
      if (error instanceof CrmsyncError) throw error;
      throw new CrmsyncError(
        'transient',
        `salesforce: the login URL is unreachable (${this.loginUrl})`,
        { crm: 'salesforce' },
        { cause: error },
      );
    }
    const body = (await res.json().catch(() => ({}))) as TokenAnswer;
    if (!res.ok || !body.access_token) {
      const why = [body.error, body.error_description].filter(Boolean).join(': ');
      throw new CrmsyncError(
        res.status >= 500 ? 'transient' : 'auth',
        `salesforce: login refused (${this.flow.kind} flow, HTTP ${res.status})${why ? `: ${why}` : ''}`,
        { crm: 'salesforce', status: res.status },
      );
    }
    this.#token = body.access_token;
    if (body.instance_url) this.instanceUrl = body.instance_url.replace(/\/+$/, '');
    this.logins++;
  }

  async headers(signal: AbortSignal): Promise<Record<string, string>> {
    if (!this.#token) await this.login(signal);
    return { authorization: `Bearer ${this.#token ?? ''}` };
  }

  async refresh(signal: AbortSignal, rejected?: Record<string, string>): Promise<boolean> {
    if (this.#inflight) await this.#inflight;
    // Another request already logged in again since this one was refused.
    if (rejected?.authorization && rejected.authorization !== `Bearer ${this.#token}`) return true;
    await this.login(signal);
    return true;
  }

  secrets(): string[] {
    const f = this.flow;
    return [
      ...(this.#token ? [this.#token] : []),
      ...('clientSecret' in f ? [f.clientSecret] : []),
      ...(f.kind === 'refresh_token' ? [f.refreshToken] : []),
      ...(f.kind === 'jwt' ? [f.privateKey] : []),
    ];
  }
}
