/**
 * Looks images up in a registry over the Registry HTTP API v2, without the docker CLI: the digest
 * a tag resolves to, and the platforms it is published for.
 */
import { createHash } from 'node:crypto';
import { parseImageRef } from '../core/image-ref.js';
import { type LookupOptions, RegistryClient } from './client.js';
import { DIGEST, configPlatform, manifestPlatforms } from './manifest.js';

/**
 * The digest `ref` resolves to in its registry, or undefined when the registry says it is not
 * there (404). HEAD first, anonymously; a 401 is answered once (Basic credentials, or a Bearer
 * token from the challenge's realm). 5xx, 429 and network errors are retried with back-off; what
 * remains throws an error naming the registry and the status, never a credential.
 */
export async function lookupDigest(
  ref: string,
  opts: LookupOptions = {},
): Promise<string | undefined> {
  const image = parseImageRef(ref);
  const client = new RegistryClient(image, opts);
  const manifest = `manifests/${encodeURIComponent(image.tag)}`;
  const response = await client.request('HEAD', manifest);
  switch (response.status) {
    case 200: {
      const digest = response.headers.get('docker-content-digest')?.trim();
      if (digest && DIGEST.test(digest)) return digest;
      // Some registries leave the header out of HEAD answers: hash the manifest bytes instead.
      const body = await client.read(manifest, `${image.repository}:${image.tag}`);
      return body && `sha256:${createHash('sha256').update(body).digest('hex')}`;
    }
    case 404:
      return undefined;
    default:
      throw client.statusError(response.status, `HEAD ${image.repository}:${image.tag}`);
  }
}

/**
 * The platforms `ref` is published for (`linux/amd64`, …), or undefined when the registry says it
 * is not there (404): an index lists them; a single image's config names its one platform.
 */
export async function lookupPlatforms(
  ref: string,
  opts: LookupOptions = {},
): Promise<string[] | undefined> {
  const image = parseImageRef(ref);
  const client = new RegistryClient(image, opts);
  const name = `${image.repository}:${image.tag}`;
  const body = await client.read(`manifests/${encodeURIComponent(image.tag)}`, name);
  if (!body) return undefined;
  const found = manifestPlatforms(body.toString('utf8'));
  if ('platforms' in found) return found.platforms;
  const config = await client.read(`blobs/${found.configDigest}`, `${name}'s config`);
  if (!config) {
    throw new Error(`Registry ${image.registry} has no config ${found.configDigest} for ${name}`);
  }
  return [configPlatform(config.toString('utf8'))];
}
