import { randomUUID } from 'node:crypto';
import { type FakeReply, ok, reply } from '@crmsync/core/fake-api';
import { errorBody } from './errors.js';

export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  expiresInSeconds?: number;
}

/** HubSpot's OAuth side: the refresh-token endpoint, the tokens it issued, its 401 bodies. */
export class OAuthTokens {
  readonly #expiry = new Map<string, number>();

  constructor(readonly app: OAuthApp | undefined) {}

  valid(token: string): boolean {
    return (this.#expiry.get(token) ?? 0) > Date.now();
  }

  /** Makes every token issued so far invalid. */
  expireAll(): void {
    for (const token of this.#expiry.keys()) this.#expiry.set(token, 0);
  }

  /** `POST /oauth/v1/token` with a refresh-token grant. */
  issue(form: URLSearchParams): FakeReply {
    const o = this.app;
    if (
      !o ||
      form.get('grant_type') !== 'refresh_token' ||
      form.get('client_id') !== o.clientId ||
      form.get('client_secret') !== o.clientSecret ||
      form.get('refresh_token') !== o.refreshToken
    )
      return reply(400, {
        status: 'BAD_REFRESH_TOKEN',
        message: 'missing or invalid refresh token',
        correlationId: randomUUID(),
      });
    const expiresIn = o.expiresInSeconds ?? 1800;
    const token = `fake-oauth-${randomUUID()}`;
    this.#expiry.set(token, Date.now() + expiresIn * 1000);
    return ok({
      token_type: 'bearer',
      access_token: token,
      refresh_token: o.refreshToken,
      expires_in: expiresIn,
    });
  }

  /** The 401 for a refused token: expired when this fake issued it, else not found. */
  unauthorized(token: string | undefined): FakeReply {
    if (token !== undefined && this.#expiry.has(token))
      return reply(
        401,
        errorBody(
          'The OAuth token used to make this call expired 0 second(s) ago.',
          'EXPIRED_AUTHENTICATION',
        ),
      );
    return reply(
      401,
      errorBody(
        'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
        'INVALID_AUTHENTICATION',
      ),
    );
  }
}
