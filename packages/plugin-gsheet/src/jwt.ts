import { createSign } from 'node:crypto';
import { InputError } from '@crmsync/core';

export const SHEETS_READONLY_SCOPE = 'https://www.googleapis.com/auth/spreadsheets.readonly';
export const DRIVE_METADATA_SCOPE = 'https://www.googleapis.com/auth/drive.metadata.readonly';

/** The fields of a Google service-account key file the JWT flow needs. */
export interface ServiceAccountCredentials {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
}

/** Parses `GSHEET_SERVICE_ACCOUNT_JSON` once, at the edge; names the missing field. */
export function parseServiceAccount(raw: unknown): ServiceAccountCredentials {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch {
      throw new InputError('GSHEET_SERVICE_ACCOUNT_JSON', 'a service-account key file as JSON');
    }
  }
  const v = value as Partial<ServiceAccountCredentials> | null;
  if (!v || typeof v.client_email !== 'string' || typeof v.private_key !== 'string') {
    throw new InputError('GSHEET_SERVICE_ACCOUNT_JSON', 'JSON with client_email and private_key');
  }
  return {
    client_email: v.client_email,
    private_key: v.private_key,
    ...(typeof v.private_key_id === 'string' ? { private_key_id: v.private_key_id } : {}),
    ...(typeof v.token_uri === 'string' ? { token_uri: v.token_uri } : {}),
  };
}

/**
 * Signs the RS256 assertion Google's token endpoint trades for an access token:
 * `{iss, scope, aud: <token URL>, iat, exp ≤ iat + 3600}`.
 */
export function signServiceAccountJwt(
  sa: ServiceAccountCredentials,
  options: { scopes: string[]; audience: string; now?: Date; lifetimeSeconds?: number },
): string {
  const iat = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const header = {
    alg: 'RS256',
    typ: 'JWT',
    ...(sa.private_key_id ? { kid: sa.private_key_id } : {}),
  };
  const claims = {
    iss: sa.client_email,
    scope: options.scopes.join(' '),
    aud: options.audience,
    iat,
    exp: iat + Math.min(3600, options.lifetimeSeconds ?? 3600),
  };
  const encode = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const unsigned = `${encode(header)}.${encode(claims)}`;
  const signature = createSign('RSA-SHA256').update(unsigned).sign(sa.private_key, 'base64url');
  return `${unsigned}.${signature}`;
}
