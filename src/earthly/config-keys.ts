/**
 * The `global:` keys each Earthly release reads from its config (the yaml tags of GlobalConfig in
 * earthly/earthly config/config.go at v0.7.4, v0.8.15 and v0.8.16, and EarthBuild/earthbuild at
 * v0.8.18). Earthly unmarshals the config leniently: an unknown key is ignored without a word.
 */
import { type SemVer, parse } from 'semver';

const COMMON = [
  'cache_size_mb',
  'cache_size_pct',
  'buildkit_cache_keep_duration_s',
  'buildkit_image',
  'buildkit_restart_timeout_s',
  'buildkit_additional_args',
  'buildkit_additional_config',
  'buildkit_max_parallelism',
  'conversion_parallelism',
  'cni_mtu',
  'buildkit_host',
  'local_registry_host',
  'tlsca',
  'tlscert',
  'tlskey',
  'buildkitd_tlscert',
  'buildkitd_tlskey',
  'tls_enabled',
  'container_frontend',
  'ip_tables',
  'secret_provider',
  'git_image',
  'cache_path',
  'buildkit_transport',
];
const ANALYTICS = ['disable_analytics', 'disable_log_sharing'];
const DARWIN_AND_CA_KEY = ['darwin_proxy_image', 'darwin_proxy_wait', 'tlsca_key'];

/** v0.7.x; v0.8.0-v0.8.15 add the darwin proxy, tlsca_key and org; v0.8.16 on drop analytics. */
export function knownConfigKeys(version: string): string[] {
  const v: SemVer | null = parse(version);
  if (v && v.major === 0 && v.minor < 8) return [...ANALYTICS, ...COMMON];
  if (v && v.major === 0 && v.minor === 8 && v.patch <= 15) {
    return [...ANALYTICS, ...COMMON, ...DARWIN_AND_CA_KEY, 'org'];
  }
  return [...COMMON, ...DARWIN_AND_CA_KEY];
}

/** Every key any supported release knows: what the inputs accept before the version is known. */
export const ANY_CONFIG_KEY: ReadonlySet<string> = new Set([
  ...knownConfigKeys('v0.7.4'),
  ...knownConfigKeys('v0.8.15'),
  ...knownConfigKeys('v0.8.16'),
]);
