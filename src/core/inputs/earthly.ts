/** Inputs that choose and steer Earthly: version, download, checksum, flags, config, BuildKit. */
import { InputError } from '../../errors.js';
import { ANY_CONFIG_KEY } from '../../earthly/config-keys.js';
import { downloadUrl, normalizeEarthlyVersion, normalizeSha256 } from '../../earthly/release.js';
import type { KeyValue } from './types.js';
import { quote, singleLine } from './values.js';

// Earthly flags the action sets itself from dedicated inputs (or must own to work at all).
const FLAGS_WITH_INPUTS: Record<string, string> = {
  '--push': 'push',
  '--ci': 'push',
  '--output': 'push',
  '--no-output': 'push',
  '--config': 'the action (it writes its own Earthly config)',
  '--buildkit-image': 'buildkit-image',
  '--buildkit-host': 'buildkit-host',
  '--remote-cache': 'remote-cache',
  '--secret': 'secrets',
  '-s': 'secrets',
  '--secret-file': 'secrets',
  '-P': 'the action (it always allows privileged mode, as CanvOS does)',
  '--allow-privileged': 'the action (it always allows privileged mode, as CanvOS does)',
  '--build-arg': 'build-args',
  '--arg-file-path': 'the action (it writes .arg)',
  '--platform': 'arch',
  '-i': 'nothing: a CI build cannot be interactive',
  '--interactive': 'nothing: a CI build cannot be interactive',
  '-a': 'nothing: this action builds images, not artifacts',
  '--artifact': 'nothing: this action builds images, not artifacts',
  '--image': 'nothing: this action builds +build-provider-images',
};

export function parseEarthlyVersion(value: string): string {
  if (value === 'auto') return value;
  try {
    return normalizeEarthlyVersion(value);
  } catch {
    throw new InputError(
      'earthly-version',
      `${quote(value)} is not auto or a version such as v0.8.15`,
    );
  }
}

export function parseDownloadUrl(value: string): string {
  const input = 'earthly-download-url';
  if (value === '') return value;
  singleLine(input, value);
  if (!/^https?:\/\//.test(value)) throw new InputError(input, 'must be an http(s) URL');
  if (!value.includes('{asset}'))
    throw new InputError(input, 'must contain {asset} (and usually {version})');
  let url: URL;
  try {
    url = new URL(downloadUrl(value, 'v0', 'a'));
  } catch {
    throw new InputError(input, 'is not a valid URL');
  }
  // tool-cache writes the URL into its debug lines: user-info there would reach the log.
  if (url.username || url.password) {
    throw new InputError(
      input,
      'must not contain credentials (user:password@): use a mirror that needs none; the binary is verified by its sha256 either way',
    );
  }
  return value;
}

export function parseSha256(value: string): string {
  if (value === '') return value;
  try {
    return normalizeSha256(value);
  } catch {
    throw new InputError('earthly-sha256', 'must be 64 hexadecimal characters');
  }
}

/** Extra global flags: tokens split on white space; values may follow a flag but nothing may name a target. */
export function parseEarthlyArgs(value: string): string[] {
  const input = 'earthly-args';
  const tokens = value.split(/\s+/).filter(Boolean);
  let previousWasFlag = false;
  for (const token of tokens) {
    if (token.startsWith('+'))
      throw new InputError(input, `${quote(token)} looks like a target: only flags go here`);
    if (token.startsWith('-')) {
      const flag = token.split('=')[0];
      const owner = FLAGS_WITH_INPUTS[flag];
      if (owner) throw new InputError(input, `${flag} is set by ${owner}`);
      if (!/^--?[A-Za-z0-9][A-Za-z0-9-]*(=.*)?$/.test(token)) {
        throw new InputError(input, `${quote(token)} is not a flag`);
      }
      previousWasFlag = !token.includes('=');
    } else {
      // A value after a flag that takes none would be read as the target.
      if (token.includes('+'))
        throw new InputError(input, `${quote(token)} could name a target: only flags go here`);
      if (!previousWasFlag)
        throw new InputError(input, `${quote(token)} is not a flag or a flag's value`);
      previousWasFlag = false;
    }
  }
  return tokens;
}

/** Earthly ignores a key it does not know without a word: name the ones it reads instead. */
export function unknownKey(key: string, known: readonly string[], version?: string): string {
  const earthly = version ? `Earthly ${version}` : 'Earthly';
  return `${key} is not a global setting ${earthly} knows (it would be ignored); it knows: ${[...known].sort().join(', ')}`;
}

/** `key: value` lines for Earthly's `global:` config; the values stay on their line. */
export function parseEarthlyConfig(value: string): KeyValue[] {
  const input = 'earthly-config';
  const settings: KeyValue[] = [];
  for (const raw of value.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    // YAML breaks lines at U+0085, U+2028 and U+2029 too: one value could add a global key.
    if (/[^\x20-\x7e]/.test(line))
      throw new InputError(input, 'allows printable ASCII only (no tabs or line-break characters)');
    const match = /^([a-z][a-z0-9_]*):\s*(\S.*)$/.exec(line);
    if (!match)
      throw new InputError(
        input,
        `${quote(line)} is not a key: value line such as tls_enabled: true`,
      );
    if (!isOneYamlValue(match[2])) {
      throw new InputError(
        input,
        `the value of ${match[1]} is not one YAML value on its line: quote it ('...' or "...")`,
      );
    }
    if (match[1] === 'disable_analytics')
      throw new InputError(
        input,
        'disable_analytics is always true here (the setting exists up to Earthly v0.8.15 only)',
      );
    if (!ANY_CONFIG_KEY.has(match[1]))
      throw new InputError(input, unknownKey(match[1], [...ANY_CONFIG_KEY]));
    if (settings.some(([key]) => key === match[1]))
      throw new InputError(input, `${match[1]} is given twice`);
    settings.push([match[1], match[2]]);
  }
  return settings;
}

// One YAML value that cannot reach past its line: a quoted string, a plain scalar, or a flow list
// of those (buildkit_additional_args). An open quote or bracket would swallow the next lines, a
// `: ` or ` #` would start a mapping or a comment, a leading indicator an anchor, alias or tag.
const DOUBLE_QUOTED = /"(?:[^"\\]|\\.)*"/.source;
const SINGLE_QUOTED = /'(?:[^']|'')*'/.source;
const PLAIN_START = /(?:[^-?:,[\]{}#&*!|>'"%@` ]|[-?:][^\s,[\]{}])/.source;
const PLAIN_REST = /(?::(?=[^\s,[\]{}])| +(?=[^\s#]))/.source;
const PLAIN_BLOCK = `${PLAIN_START}(?:[^:\\s]|${PLAIN_REST})*`;
const PLAIN_FLOW = `${PLAIN_START}(?:[^:\\s,[\\]{}]|${PLAIN_REST})*`;
const FLOW_ITEM = `(?:${DOUBLE_QUOTED}|${SINGLE_QUOTED}|${PLAIN_FLOW})`;
const FLOW_LIST = `\\[ *(?:${FLOW_ITEM} *(?:, *${FLOW_ITEM} *)*)?\\]`;
const ONE_YAML_VALUE = new RegExp(
  `^(?:${DOUBLE_QUOTED}|${SINGLE_QUOTED}|${FLOW_LIST}|${PLAIN_BLOCK})$`,
);

export function isOneYamlValue(value: string): boolean {
  return ONE_YAML_VALUE.test(value);
}

/**
 * What Earthly accepts (util/containerutil/shell_shared.go parseAndValidateURL): `tcp://` with a
 * port, `docker-container://` or `podman-container://`; anything else fails only once it runs.
 */
export function parseBuildkitHost(value: string): string {
  if (value === '') return value;
  singleLine('buildkit-host', value);
  const refuse = () =>
    new InputError(
      'buildkit-host',
      `${quote(value)} is not a BuildKit address Earthly accepts: tcp://host:port, docker-container://name or podman-container://name`,
    );
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse();
  }
  const container = url.protocol === 'docker-container:' || url.protocol === 'podman-container:';
  const tcp = url.protocol === 'tcp:' && url.hostname !== '' && url.port !== '';
  if (!(container && url.host !== '') && !tcp) throw refuse();
  return value;
}
