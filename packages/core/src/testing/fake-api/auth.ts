import type { FakeReply, FakeRequest } from './types.js';

type Accept = string | ((credential: string, request: FakeRequest) => boolean);

/**
 * How a fake checks credentials: `Authorization: Bearer …`, a header (`X-Api-Key`, or
 * CallRail's whole `Token token="…"` authorization), a query key (`?api_key=`), or HTTP
 * basic. `reject` shapes the vendor's 401 (it sees the credential sent, if any).
 */
export type FakeAuth = (
  | { kind: 'bearer'; token: Accept }
  | { kind: 'header'; name: string; value: Accept }
  | { kind: 'query'; name: string; value: Accept }
  | {
      kind: 'basic';
      accept: { username: string; password: string } | ((user: string, pass: string) => boolean);
    }
) & { reject?: (request: FakeRequest, credential: string | undefined) => FakeReply };

/** The credential a request carries in the place `auth` looks, if any. */
export function credentialOf(auth: FakeAuth, request: FakeRequest): string | undefined {
  switch (auth.kind) {
    case 'bearer':
      return /^Bearer (.+)$/.exec(header(request, 'authorization') ?? '')?.[1];
    case 'header':
      return header(request, auth.name);
    case 'query':
      return request.query.get(auth.name) ?? undefined;
    case 'basic': {
      const encoded = /^Basic (.+)$/.exec(header(request, 'authorization') ?? '')?.[1];
      return encoded === undefined ? undefined : Buffer.from(encoded, 'base64').toString('utf8');
    }
  }
}

/** Whether the request's credential is accepted. */
export function isAuthorized(auth: FakeAuth, request: FakeRequest): boolean {
  const credential = credentialOf(auth, request);
  if (credential === undefined) return false;
  if (auth.kind === 'basic') {
    const at = credential.indexOf(':');
    if (at < 0) return false;
    const user = credential.slice(0, at);
    const pass = credential.slice(at + 1);
    return typeof auth.accept === 'function'
      ? auth.accept(user, pass)
      : user === auth.accept.username && pass === auth.accept.password;
  }
  const accept = auth.kind === 'bearer' ? auth.token : auth.value;
  return typeof accept === 'function' ? accept(credential, request) : credential === accept;
}

function header(request: FakeRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
