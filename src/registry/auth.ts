/** How a registry asks for credentials (WWW-Authenticate), and the answers we give it. */
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
