/** How a registry asks for credentials (WWW-Authenticate), and the answers we give it. */
import type { Response } from 'undici';
import type { RegistryCredentials } from '../core/inputs/types.js';

export interface AuthChallenge {
  /** Lower-case: `basic`, `bearer`, ... */
  scheme: string;
  /** Lower-case parameter names: realm, service, scope, ... */
  params: Record<string, string>;
}

/** Parses a WWW-Authenticate value (RFC 7235), including several challenges joined by commas. */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  let i = 0;
  const skip = (chars: RegExp) => {
    while (i < header.length && chars.test(header[i])) i++;
  };
  const readToken = () => {
    const start = i;
    while (i < header.length && !/[\s,=]/.test(header[i])) i++;
    return header.slice(start, i);
  };
  while (i < header.length) {
    skip(/[\s,]/);
    const name = readToken();
    if (!name) {
      i++;
      continue;
    }
    skip(/\s/);
    if (header[i] !== '=' || challenges.length === 0) {
      challenges.push({ scheme: name.toLowerCase(), params: {} });
      continue;
    }
    i++; // '='
    skip(/\s/);
    let value = '';
    if (header[i] === '"') {
      i++;
      while (i < header.length && header[i] !== '"') {
        if (header[i] === '\\' && i + 1 < header.length) i++;
        value += header[i++];
      }
      i++; // closing quote
    } else {
      const start = i;
      while (i < header.length && header[i] !== ',') i++;
      value = header.slice(start, i).trim();
    }
    challenges[challenges.length - 1].params[name.toLowerCase()] = value;
  }
  return challenges;
}

export function basicAuthorization(credentials: RegistryCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

/**
 * An identity token is an OAuth2 refresh token: POSTed to the realm as a form with
 * grant_type=refresh_token (distribution/distribution docs/spec/auth/oauth.md; docker/distribution
 * registry/client/auth/session.go fetchTokenWithOAuth). The answer's `access_token` is the bearer.
 */
export function refreshTokenForm(url: URL, refreshToken: string): URLSearchParams {
  const form = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
    client_id: 'canvos-provider-images-action',
  });
  for (const key of ['service', 'scope']) {
    const value = url.searchParams.get(key);
    if (value) form.set(key, value);
  }
  return form;
}

/** The bearer token in a token endpoint's JSON answer: `token`, or OAuth2's `access_token`. */
export async function tokenFromAnswer(response: Response, endpoint: string): Promise<string> {
  let body: { token?: unknown; access_token?: unknown };
  try {
    body = (await response.json()) as typeof body;
  } catch {
    throw new Error(`${endpoint} did not answer JSON`);
  }
  const token = typeof body.token === 'string' && body.token ? body.token : body.access_token;
  if (typeof token !== 'string' || !token) throw new Error(`${endpoint} returned no token`);
  return token;
}
