import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  BUILD_TARGET,
  type EarthlyCommandOptions,
  earthlyArguments,
  earthlyConfig,
  earthlyFailure,
  failureHint,
} from '../../../src/earthly/command.js';
import { ActionError } from '../../../src/errors.js';

function options(overrides: Partial<EarthlyCommandOptions> = {}): EarthlyCommandOptions {
  return {
    push: true,
    configPath: '/tmp/run/earthly-config.yml',
    secretNames: [],
    envBuildArgs: [],
    extraArgs: [],
    ...overrides,
  };
}

const FULL = options({
  buildkitImage: 'us-docker.pkg.dev/palette-images/third-party/edge/earthly/buildkitd:v0.8.15',
  buildkitHost: 'tcp://buildkit.internal:8372',
  remoteCache: 'ghcr.io/acme/cache:canvos',
  secretNames: ['UBUNTU_PRO_KEY', 'OTHER_SECRET'],
  extraArgs: ['--no-cache', '--platform', 'linux/amd64'],
  envBuildArgs: ['HTTPS_PROXY', 'HTTP_PROXY'],
});

describe('earthlyArguments', () => {
  it('builds the whole argument list', () => {
    expect(earthlyArguments(FULL)).toEqual([
      '--config',
      '/tmp/run/earthly-config.yml',
      '--ci',
      '--push',
      '--allow-privileged',
      '--buildkit-image',
      'us-docker.pkg.dev/palette-images/third-party/edge/earthly/buildkitd:v0.8.15',
      '--buildkit-host',
      'tcp://buildkit.internal:8372',
      '--remote-cache',
      'ghcr.io/acme/cache:canvos',
      '--secret',
      'UBUNTU_PRO_KEY',
      '--secret',
      'OTHER_SECRET',
      '--build-arg',
      'HTTPS_PROXY',
      '--build-arg',
      'HTTP_PROXY',
      '--no-cache',
      '--platform',
      'linux/amd64',
      '+build-provider-images',
    ]);
  });

  it('puts every option before the target and only build args after it', () => {
    const args = earthlyArguments(FULL);
    expect(BUILD_TARGET).toBe('+build-provider-images');
    const target = args.indexOf(BUILD_TARGET);
    expect(args.filter((arg) => arg === BUILD_TARGET)).toEqual([BUILD_TARGET]);
    const options = args.slice(0, target);
    for (const flag of [
      '--config',
      '--ci',
      '--push',
      '--allow-privileged',
      '--buildkit-image',
      '--secret',
    ]) {
      expect(options).toContain(flag);
    }
    expect(args.slice(target + 1)).toEqual([]);
  });

  it('the minimal list: push is --ci --push', () => {
    expect(earthlyArguments(options())).toEqual([
      '--config',
      '/tmp/run/earthly-config.yml',
      '--ci',
      '--push',
      '--allow-privileged',
      '+build-provider-images',
    ]);
  });

  it('no push is --ci --output, never --push', () => {
    const args = earthlyArguments(options({ push: false }));
    expect(args).toEqual([
      '--config',
      '/tmp/run/earthly-config.yml',
      '--ci',
      '--output',
      '--allow-privileged',
      '+build-provider-images',
    ]);
    expect(args).not.toContain('--push');
  });

  it('secrets appear only by name', () => {
    const args = earthlyArguments(options({ secretNames: ['UBUNTU_PRO_KEY'] }));
    const at = args.indexOf('--secret');
    expect(args.slice(at, at + 2)).toEqual(['--secret', 'UBUNTU_PRO_KEY']);
    expect(args.filter((arg) => arg.includes('UBUNTU_PRO_KEY'))).toEqual(['UBUNTU_PRO_KEY']);
    expect(args.some((arg) => arg.startsWith('--secret='))).toBe(false);
  });
});

describe('earthlyConfig', () => {
  it('turns analytics off and raises BuildKit open-file limit', () => {
    expect(parseYaml(earthlyConfig('v0.8.15'))).toEqual({
      global: {
        disable_analytics: true,
        buildkit_additional_args: ['--ulimit', 'nofile=1048576:1048576'],
      },
    });
  });

  // disable_analytics is a GlobalConfig key up to earthly/earthly v0.8.15 (config/config.go) and
  // gone from v0.8.16 and EarthBuild v0.8.18: there it would be ignored, so it is not written.
  it.each(['v0.8.16', 'v0.8.18'])('writes no disable_analytics for %s', (version) => {
    expect(parseYaml(earthlyConfig(version))).toEqual({
      global: { buildkit_additional_args: ['--ulimit', 'nofile=1048576:1048576'] },
    });
  });
});

describe('the build args Earthly reads from its environment', () => {
  // earthly/earthly variables/parse.go ParseCommandLineArgs (v0.7.4, v0.8.5, v0.8.15, v0.8.16 and
  // EarthBuild v0.8.18): `--build-arg NAME` without `=` takes os.LookupEnv(NAME).
  it('go as --build-arg NAME before the target, with no value', () => {
    const args = earthlyArguments(options({ envBuildArgs: ['HTTP_PROXY', 'UBUNTU_PRO_KEY'] }));
    const target = args.indexOf(BUILD_TARGET);
    expect(target).toBe(args.length - 1);
    expect(args.slice(target - 4, target)).toEqual([
      '--build-arg',
      'HTTP_PROXY',
      '--build-arg',
      'UBUNTU_PRO_KEY',
    ]);
    expect(args.some((arg) => arg.includes('='))).toBe(false);
  });
});

describe('failureHint reads the output before the code', () => {
  // earthly/earthly cmd/earthly/app/run.go: exit 9 for "security.insecure is not allowed";
  // cmd/earthly/main.go: exit 9 too after "Received second signal … Forcing exit." or a 30 s
  // cleanup timeout ("Timed out cleaning up. Forcing exit.").
  it('exit 9 after a second signal is a forced exit, not privileged mode', () => {
    expect(failureHint(9, 'Received second signal terminated. Forcing exit.')).toBe(
      'Earthly was forced to exit: it got a second signal, or its cleanup took longer than 30 seconds',
    );
  });

  it('security.insecure is not allowed is privileged mode, whatever the code', () => {
    const tail = 'Error: failed to solve: granting entitlement security.insecure is not allowed';
    expect(failureHint(1, tail)).toMatch(/^Earthly needs privileged mode/);
  });

  // Docker's own words (moby distribution/pull_v2.go "no matching manifest for %s in the manifest
  // list entries"; runc's exec format error), as the stand-in prints them from a real engine.
  it('a BuildKit image without the runner’s arch points at buildkit-image', () => {
    const unpulled =
      'could not start buildkit: command failed: docker run -d ...: exit status 125: docker: no matching manifest for linux/arm64/v8 in the manifest list entries.';
    expect(failureHint(1, unpulled)).toMatch(
      /^the BuildKit image has no build for this runner's arch/,
    );
    expect(failureHint(7, 'buildkitd | exec /usr/bin/entrypoint.sh: exec format error')).toMatch(
      /must be of the runner's arch \(set buildkit-image\)/,
    );
  });

  it('too many open files at start-up points at the open-file limit', () => {
    expect(failureHint(7, 'buildkitd: too many open files')).toMatch(/open-file limit/);
  });
});

describe('failureHint', () => {
  it.each([
    [2, 'the build was cancelled'],
    [
      6,
      'Earthly could not reach BuildKit: check that Docker runs and can start privileged containers, or that buildkit-host answers',
    ],
    [
      7,
      'BuildKit crashed or died at start-up: often out of memory or disk (free space or use a larger runner), or the Docker 29 open-file limit (see the README)',
    ],
    [
      9,
      'Earthly needs privileged mode: the runner must allow privileged containers (rootless Docker and some self-hosted setups do not), and a buildkit-host must run with --allow-insecure-entitlement security.insecure',
    ],
    [1, 'see the Earthly output above'],
    [137, 'see the Earthly output above'],
  ])('exit code %i', (code, hint) => {
    expect(failureHint(code, 'some unrelated output')).toBe(hint);
  });

  it('"no space left on device" wins over the exit code', () => {
    const disk =
      'the runner ran out of disk: free space (remove unused tools and images) or use a larger runner';
    expect(failureHint(1, 'ERROR: write /tmp/x: no space left on device')).toBe(disk);
    expect(failureHint(7, 'failed to copy: No Space Left On Device')).toBe(disk);
  });

  it('a registry rate limit gets its own hint', () => {
    expect(failureHint(1, 'toomanyrequests: You have reached your pull rate limit')).toBe(
      'a registry rate limit was hit: log in to Docker Hub or use buildkit-image from a mirror',
    );
  });
});

describe('earthlyFailure', () => {
  it('names the exit code, the hint and the last eight lines', () => {
    const tail = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`);
    const error = earthlyFailure({ exitCode: 6, tail });
    expect(error).toBeInstanceOf(ActionError);
    expect(error.message).toBe(
      [
        `Earthly failed with exit code 6: ${failureHint(6, '')}.`,
        'Last lines of its output:',
        ...tail.slice(-8),
      ].join('\n'),
    );
  });
});

describe('earthlyConfig with the workflow’s settings', () => {
  it('adds them under global: and lets buildkit_additional_args replace the default', () => {
    const config = parseYaml(
      earthlyConfig('v0.8.15', [
        ['tls_enabled', 'true'],
        ['buildkit_additional_args', '["--ulimit", "nofile=65536:65536"]'],
      ]),
    ) as unknown;
    expect(config).toEqual({
      global: {
        disable_analytics: true,
        buildkit_additional_args: ['--ulimit', 'nofile=65536:65536'],
        tls_enabled: true,
      },
    });
  });
});
