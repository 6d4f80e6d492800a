/**
 * Earthly's command line and config, and what its exit codes mean: pure rules the plan uses, so
 * the whole command is known before anything runs.
 */
import { ActionError } from '../errors.js';
import type { KeyValue } from '../core/inputs/types.js';
import { knownConfigKeys } from './config-keys.js';

export const BUILD_TARGET = '+build-provider-images';

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
export function earthlyConfig(version: string, extra: readonly KeyValue[] = []): string {
  const settings = new Map<string, string>();
  if (knownConfigKeys(version).includes('disable_analytics'))
    settings.set('disable_analytics', 'true');
  settings.set('buildkit_additional_args', '["--ulimit", "nofile=1048576:1048576"]');
  for (const [key, value] of extra) settings.set(key, value);
  return ['global:', ...[...settings].map(([key, value]) => `  ${key}: ${value}`), ''].join('\n');
}

const EXIT_HINTS: Record<number, string> = {
  2: 'the build was cancelled',
  6: 'Earthly could not reach BuildKit: check that Docker runs and can start privileged containers, or that buildkit-host answers',
  7: 'BuildKit crashed: often out of memory or disk; free space or use a larger runner',
  9: 'Earthly needs privileged mode: the runner must allow privileged containers (rootless Docker and some self-hosted setups do not)',
};

/** A hint for an Earthly failure, from its exit code and the last lines it printed. */
export function failureHint(exitCode: number, tail: string): string {
  if (/no space left on device/i.test(tail)) {
    return 'the runner ran out of disk: free space (remove unused tools and images) or use a larger runner';
  }
  if (/toomanyrequests|rate limit/i.test(tail)) {
    return 'a registry rate limit was hit: log in to Docker Hub or use buildkit-image from a mirror';
  }
  return EXIT_HINTS[exitCode] ?? 'see the Earthly output above';
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
