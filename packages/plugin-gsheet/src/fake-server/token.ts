import { createVerify, randomBytes } from 'node:crypto';
import { type FakeReply, reply } from '@crmsync/core/fake-api';

export interface IssuedToken {
  subject: string;
  scopes: string[];
  expiresAt: number;
}

export const SHEETS_SCOPES = [
  'https://www.googleapis.com/auth/spreadsheets.readonly',
  'https://www.googleapis.com/auth/spreadsheets',
  'https://www.googleapis.com/auth/drive.readonly',
  'https://www.googleapis.com/auth/drive',
];
export const DRIVE_SCOPES = [
  'https://www.googleapis.com/auth/drive.metadata.readonly',
  'https://www.googleapis.com/auth/drive.readonly',
  'https://www.googleapis.com/auth/drive',
];

export interface TokenIssuer {
  publicKey: string;
  clientEmail: string;
  tokenUrl: string;
  oauthClient: { clientId: string; clientSecret: string; refreshToken: string };
  ttlSeconds: number;
  now: number;
  issue(token: string, issued: IssuedToken): void;
}

/** Google's token endpoint: a service-account JWT assertion or an OAuth refresh token. */
export function tokenEndpoint(form: URLSearchParams, issuer: TokenIssuer): FakeReply {
  const grant = form.get('grant_type');
  let subject: string;
  let scopes: string[];
  if (grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
    const claims = verifyJwt(form.get('assertion') ?? '', issuer);
    if (typeof claims === 'string')
      return reply(400, { error: 'invalid_grant', error_description: claims });
    subject = String(claims.sub ?? claims.iss);
    scopes = String(claims.scope ?? '')
      .split(' ')
      .filter(Boolean);
    if (scopes.length === 0)
      return reply(400, {
        error: 'invalid_scope',
        error_description: 'Invalid OAuth scope or ID token audience provided.',
      });
  } else if (grant === 'refresh_token') {
    const c = issuer.oauthClient;
    if (form.get('client_id') !== c.clientId || form.get('client_secret') !== c.clientSecret)
      return reply(401, { error: 'invalid_client', error_description: 'Unauthorized' });
    if (form.get('refresh_token') !== c.refreshToken)
      return reply(400, {
        error: 'invalid_grant',
        error_description: 'Token has been expired or revoked.',
      });
    subject = 'oauth-user@example.com';
    scopes = [SHEETS_SCOPES[0] as string, DRIVE_SCOPES[0] as string];
  } else {
    return reply(400, {
      error: 'unsupported_grant_type',
      error_description: `Invalid grant_type: ${grant}`,
    });
  }
  const accessToken = `ya29.${randomBytes(24).toString('base64url')}`;
  issuer.issue(accessToken, { subject, scopes, expiresAt: issuer.now + issuer.ttlSeconds * 1000 });
  return reply(200, {
    access_token: accessToken,
    expires_in: issuer.ttlSeconds,
    token_type: 'Bearer',
    ...(grant === 'refresh_token' ? { scope: scopes.join(' ') } : {}),
  });
}

const SHORT_LIVED =
  'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe.';

/** Checks an RS256 service-account assertion; returns its claims or why it is refused. */
function verifyJwt(jwt: string, issuer: TokenIssuer): Record<string, unknown> | string {
  const [h, p, s] = jwt.split('.');
  if (!h || !p || !s) return 'Invalid JWT: malformed assertion.';
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString());
    claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  } catch {
    return 'Invalid JWT: malformed assertion.';
  }
  if (header.alg !== 'RS256') return 'Invalid JWT: only RS256 is accepted.';
  const signed = createVerify('RSA-SHA256')
    .update(`${h}.${p}`)
    .verify(issuer.publicKey, Buffer.from(s, 'base64url'));
  if (!signed) return 'Invalid JWT Signature.';
  if (claims.iss !== issuer.clientEmail) return 'Invalid issuer: unknown service account.';
  if (claims.aud !== issuer.tokenUrl) return 'Invalid JWT: audience must be the token URL.';
  const now = Math.floor(issuer.now / 1000);
  const iat = Number(claims.iat);
  const exp = Number(claims.exp);
  if (!Number.isFinite(iat) || !Number.isFinite(exp) || exp - iat > 3600 || iat > now + 300)
    return SHORT_LIVED;
  if (exp < now) return SHORT_LIVED;
  return claims;
}
