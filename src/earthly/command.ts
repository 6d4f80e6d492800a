/**
 * Earthly's command line and config, and what its exit codes mean: pure rules the plan uses, so
 * the whole command is known before anything runs.
 */
import { ActionError } from '../errors.js';
import type { KeyValue } from '../core/inputs/types.js';

export const BUILD_TARGET = '+build-provider-images';

export interface EarthlyCommandOptions {
  push: boolean;
  configPath: string;
  buildkitImage?: string;
  buildkitHost?: string;
  remoteCache?: string;
  secretNames: string[];
  extraArgs: string[];
  buildArgs: KeyValue[]; // command-line build args (they win over .arg)
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
  for (const name of o.secretNames) args.push('--secret', name); // the value comes from the environment
  args.push(...o.extraArgs, BUILD_TARGET);
  for (const [key, value] of o.buildArgs) args.push(`--${key}=${value}`);
  return args;
}

/**
 * Earthly's config: analytics off, and BuildKit started with a high open-file limit, the known
 * workaround for Docker 29's lower default that breaks BuildKit start-up in Earthly up to v0.8.16.
 * The workflow's own `global:` settings come last; its buildkit_additional_args replace ours.
 */
export function earthlyConfig(extra: readonly KeyValue[] = []): string {
  const settings = new Map<string, string>([
    ['disable_analytics', 'true'],
    ['buildkit_additional_args', '["--ulimit", "nofile=1048576:1048576"]'],
  ]);
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
