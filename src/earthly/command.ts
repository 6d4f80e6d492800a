/**
 * Earthly's command line and config, and what its exit codes mean: pure rules the plan uses, so
 * the whole command is known before anything runs.
 */
import { ActionError } from '../errors.js';
import type { KeyValue } from '../core/inputs/types.js';
import { knownConfigKeys } from './config-keys.js';

export const BUILD_TARGET = '+build-provider-images';

/**
 * A BuildKit address Earthly starts and manages itself: a loopback tcp host or a local container
 * (util/containerutil/shell_shared.go IsLocal, earthly/earthly v0.8.15 and EarthBuild v0.8.18).
 */
export const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'] as const;
/** Where the proxy CA certificates appear inside the BuildKit container. */
export const BUILDKIT_CA_DIR = '/etc/canvos-proxy-ca';

/**
 * `docker run` flags (Earthly's buildkit_additional_args, config/config.go) that give the
 * BuildKit Earthly starts what CanvOS's earthly.sh gives its own: the proxy variables, upper and
 * lower case, and the proxy CA certificates. A bare `-e NAME` makes docker take the value from its
 * environment, which is Earthly's (util/containerutil/shell_shared.go runs docker with it), so no
 * credential is written to the config. BuildKit is Go: SSL_CERT_DIR (colon-separated) adds the
 * mounted CAs to the system roots for its own image pulls.
 */
export function buildkitProxyArgs(
  proxyNames: readonly string[],
  ca?: { path: string; isFile: boolean },
): string[] {
  const args = proxyNames.flatMap((name) => ['-e', name, '-e', name.toLowerCase()]);
  if (ca) {
    const target = ca.isFile ? `${BUILDKIT_CA_DIR}/proxy-ca.crt` : BUILDKIT_CA_DIR;
    args.push('-v', `${ca.path}:${target}:ro`);
    args.push('-e', `SSL_CERT_DIR=/etc/ssl/certs:${BUILDKIT_CA_DIR}`);
  }
  return args;
}

export function isLocalBuildkit(address: string): boolean {
  const url = new URL(address);
  if (url.protocol === 'docker-container:' || url.protocol === 'podman-container:') return true;
  return ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
}

export interface EarthlyCommandOptions {
  push: boolean;
  configPath: string;
  buildkitImage?: string;
  buildkitHost?: string;
  remoteCache?: string;
  secretNames: string[];
  /** Build args Earthly reads from its own environment (they win over .arg). */
  envBuildArgs: string[];
  extraArgs: string[];
}

/**
 * The Earthly argument list. Every option goes before the target: Earthly reads everything after
 * it as a build arg. Push mode sends images straight from BuildKit (`--ci --push`): no multi-GB
 * export into the local Docker and no second `docker push`.
 */
export function earthlyArguments(o: EarthlyCommandOptions): string[] {
  const args = [
    '--config',
    o.configPath,
    '--ci',
    o.push ? '--push' : '--output',
    '--allow-privileged',
  ];
  if (o.buildkitImage) args.push('--buildkit-image', o.buildkitImage);
  if (o.buildkitHost) args.push('--buildkit-host', o.buildkitHost);
  if (o.remoteCache) args.push('--remote-cache', o.remoteCache);
  // Values come from Earthly's environment, so no secret is in its argv (/proc/<pid>/cmdline).
  for (const name of o.secretNames) args.push('--secret', name);
  // `--build-arg NAME` with no value reads NAME from the environment (variables/parse.go,
  // ParseCommandLineArgs, in every Earthly from v0.7.4 to EarthBuild v0.8.18). After the target,
  // `--NAME` would take the next word as its value instead.
  for (const name of o.envBuildArgs) args.push('--build-arg', name);
  args.push(...o.extraArgs, BUILD_TARGET);
  return args;
}

/**
 * Earthly's config: analytics off where the version still has the switch (up to v0.8.15), and
 * BuildKit started with a high open-file limit, the known workaround for Docker 29's lower default
 * that breaks BuildKit start-up in Earthly up to v0.8.16. The workflow's own `global:` settings
 * come last; its buildkit_additional_args replace ours.
 */
export function earthlyConfig(
  version: string,
  extra: readonly KeyValue[] = [],
  buildkitArgs: readonly string[] = [],
): string {
  const settings = new Map<string, string>();
  if (knownConfigKeys(version).includes('disable_analytics'))
    settings.set('disable_analytics', 'true');
  const dockerRunArgs = ['--ulimit', 'nofile=1048576:1048576', ...buildkitArgs];
  settings.set('buildkit_additional_args', JSON.stringify(dockerRunArgs).replaceAll('","', '", "'));
  for (const [key, value] of extra) settings.set(key, value);
  return ['global:', ...[...settings].map(([key, value]) => `  ${key}: ${value}`), ''].join('\n');
}

// Earthly's exit codes (earthly/earthly cmd/earthly/app/run.go, cmd/earthly/main.go): 9 is both a
// missing privileged entitlement and a forced exit; 7 also covers a BuildKit that dies at start-up.
const PRIVILEGED =
  'Earthly needs privileged mode: the runner must allow privileged containers (rootless Docker and some self-hosted setups do not), and a buildkit-host must run with --allow-insecure-entitlement security.insecure';
const EXIT_HINTS: Record<number, string> = {
  2: 'the build was cancelled',
  6: 'Earthly could not reach BuildKit: check that Docker runs and can start privileged containers, or that buildkit-host answers',
  7: 'BuildKit crashed or died at start-up: often out of memory or disk (free space or use a larger runner), or the Docker 29 open-file limit (see the README)',
  9: PRIVILEGED,
};

/** What Earthly's last lines say, which is more precise than its exit code. */
const OUTPUT_HINTS: [RegExp, string][] = [
  [
    /no space left on device/i,
    'the runner ran out of disk: free space (remove unused tools and images) or use a larger runner',
  ],
  [
    /toomanyrequests|rate limit/i,
    'a registry rate limit was hit: log in to Docker Hub or use buildkit-image from a mirror',
  ],
  [/security\.insecure is not allowed/i, PRIVILEGED],
  [
    /Forcing exit/,
    'Earthly was forced to exit: it got a second signal, or its cleanup took longer than 30 seconds',
  ],
  // What Docker says when the BuildKit image has no build for the runner's arch: `docker run`
  // cannot pull it, or it starts and dies at once.
  [
    /no matching manifest for \S+ in the manifest list/i,
    "the BuildKit image has no build for this runner's arch: set buildkit-image to one that has (Earthly's own earthly/buildkitd is published for amd64 and arm64)",
  ],
  [
    /exec format error/i,
    "a program of another arch ran without emulation: the BuildKit image must be of the runner's arch (set buildkit-image), and other-arch images need QEMU (docker/setup-qemu-action)",
  ],
  [
    /too many open files/i,
    'BuildKit did not start: on Docker 29 raise its open-file limit (the README shows how) or use earthly-distribution: earthbuild',
  ],
];

/** A hint for an Earthly failure, from the last lines it printed, else its exit code. */
export function failureHint(exitCode: number, tail: string): string {
  const said = OUTPUT_HINTS.find(([pattern]) => pattern.test(tail));
  return said?.[1] ?? EXIT_HINTS[exitCode] ?? 'see the Earthly output above';
}

export interface RunResult {
  exitCode: number;
  tail: string[];
}

export function earthlyFailure(result: RunResult): ActionError {
  const tail = result.tail.slice(-8).join('\n');
  return new ActionError(
    `Earthly failed with exit code ${result.exitCode}: ${failureHint(result.exitCode, tail)}.\nLast lines of its output:\n${tail}`,
  );
}
