// The docker CLI, for real: against the harness's isolated Docker engine and its registry
// (distribution 2.8 with htpasswd auth). `docker login` keeps the credentials in DOCKER_CONFIG's
// config.json (docker/cli cli/config/configfile/file.go) unless a credential helper is set.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  dockerLogin,
  dockerLogout,
  dockerRootDir,
  freeBytes,
  localImagePlatform,
  lookupLocalImage,
} from '../../../src/docker/cli.js';
import { ActionError } from '../../../src/errors.js';
import { dockerCli } from '../../harness/dockerd.js';
import { OTHER_PLATFORM, loadImage } from '../../harness/images.js';
import { exec } from '../../harness/processes.js';
import { useDockerAndRegistry } from '../../harness/suite.js';
import { rejection, useSandbox } from '../support.js';

const docker = useDockerAndRegistry();
const sandbox = useSandbox('docker-cli-test-', (dir) => ({
  DOCKER_HOST: docker.engine.host,
  DOCKER_CONFIG: join(dir, 'docker-config'),
}));

const configFile = () => join(sandbox.dir, 'docker-config', 'config.json');
const storedAuths = (): Record<string, unknown> =>
  existsSync(configFile())
    ? ((JSON.parse(readFileSync(configFile(), 'utf8')) as { auths?: Record<string, unknown> })
        .auths ?? {})
    : {};

describe('dockerLogin and dockerLogout', () => {
  it('logs in with the password on stdin, and logs out again', async () => {
    const { registry } = docker;
    registry.clearRequests();
    await dockerLogin(registry.host, registry.username, registry.password);
    expect(registry.logins().map((r) => [r.username, r.status])).toContainEqual([
      registry.username,
      200,
    ]);
    expect(Object.keys(storedAuths())).toEqual([registry.host]);

    await expect(dockerLogout(registry.host)).resolves.toBeUndefined();
    expect(storedAuths()).toEqual({});
  });

  it('a refused password is an ActionError with a hint, without the password', async () => {
    const { registry } = docker;
    const error = await rejection(dockerLogin(registry.host, registry.username, 'wrong-s3cret'));
    expect(error).toBeInstanceOf(ActionError);
    expect(error.message).toMatch(
      new RegExp(
        `^docker login to ${registry.host} failed: .*check registry-username and registry-password`,
      ),
    );
    expect(error.message).not.toContain('wrong-s3cret');
    expect(storedAuths()).toEqual({});
  });

  it('logging out of a registry it never logged in to is not a failure', async () => {
    await expect(dockerLogout('127.0.0.1:9')).resolves.toBeUndefined();
  });
});

describe('lookupLocalImage', () => {
  it('returns the image id docker has, and undefined for an image it does not have', async () => {
    const ref = `${docker.registry.host}/unit/empty:cli-test`;
    // An image from an empty tar: no network, no base image.
    const tar = join(sandbox.dir, 'empty.tar');
    await exec('tar', ['cf', tar, '--files-from', '/dev/null']);
    await exec(dockerCli(), ['-H', docker.engine.host, 'import', tar, ref]);
    try {
      const { stdout } = await exec(dockerCli(), [
        '-H',
        docker.engine.host,
        'image',
        'inspect',
        '--format',
        '{{.Id}}',
        ref,
      ]);
      await expect(lookupLocalImage(ref)).resolves.toBe(stdout.trim());
      await expect(lookupLocalImage(`${ref}-absent`)).resolves.toBeUndefined();
    } finally {
      await exec(dockerCli(), ['-H', docker.engine.host, 'rmi', '--force', ref], { check: false });
    }
  });

  it('throws when Docker itself fails, and on a reference that is not one', async () => {
    process.env.DOCKER_HOST = `unix://${join(sandbox.dir, 'no-daemon.sock')}`;
    await expect(lookupLocalImage('ttl.sh/ubuntu:x')).rejects.toThrow(
      /docker image inspect ttl.sh\/ubuntu:x failed: .*(Cannot connect to the Docker daemon|no-daemon\.sock)/,
    );
    await expect(lookupLocalImage('--help')).rejects.toThrow('Invalid image reference "--help"');
    await expect(lookupLocalImage(' ')).rejects.toThrow('Invalid image reference');
  });
});

describe('localImagePlatform', () => {
  it('reads the os and architecture Earthly compares with its own, or undefined', async () => {
    // earthly/earthly v0.8.15 util/containerutil/shell_shared.go ImageInfo reads `Os` and
    // `Architecture` from `docker image inspect`.
    const ref = `${docker.registry.host}/unit/buildkitd:platform-test`;
    await loadImage(docker.engine.host, [ref], OTHER_PLATFORM);
    try {
      await expect(localImagePlatform(ref)).resolves.toBe(OTHER_PLATFORM);
      await expect(localImagePlatform(`${ref}-absent`)).resolves.toBeUndefined();
    } finally {
      await exec(dockerCli(), ['-H', docker.engine.host, 'rmi', '--force', ref], { check: false });
    }
  });
});

describe('dockerRootDir and freeBytes', () => {
  it('reads Docker’s data root from the engine, and nothing when there is no engine', async () => {
    const { stdout } = await exec(dockerCli(), [
      '-H',
      docker.engine.host,
      'info',
      '--format',
      '{{.DockerRootDir}}',
    ]);
    await expect(dockerRootDir()).resolves.toBe(stdout.trim());
    process.env.DOCKER_HOST = `unix://${join(sandbox.dir, 'no-daemon.sock')}`;
    await expect(dockerRootDir()).resolves.toBeUndefined();
  });

  it('measures the free bytes of the nearest folder that exists', async () => {
    const free = await freeBytes(sandbox.dir);
    expect(free).toBeGreaterThan(0);
    const below = await freeBytes(join(sandbox.dir, 'not', 'yet', 'made'));
    expect(below).toBeGreaterThan(0);
  });
});
