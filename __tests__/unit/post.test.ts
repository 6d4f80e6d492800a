// The post step on real files, with the state the main step saved handed over the way the runner
// does (STATE_<name>, read by @actions/core getState), and the real docker CLI for the log-out.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { post } from '../../src/post.js';
import { type RestoreEntry, State } from '../../src/state.js';
import { captureStdout, useSandbox, writeDockerConfig } from './support.js';

// The post step removes only a canvos-action-XXXXXX folder directly in RUNNER_TEMP, and restores
// only inside the recorded checkout (see the hardening suite for the attacks).
const sandbox = useSandbox('post-test-', (dir) => ({
  RUNNER_TEMP: dir,
  DOCKER_CONFIG: join(dir, 'docker-config'),
  [`STATE_${State.checkout}`]: undefined,
  [`STATE_${State.registryHost}`]: undefined,
  [`STATE_${State.tempDir}`]: undefined,
  [`STATE_${State.restore}`]: undefined,
}));

function saveState(state: {
  registryHost?: string;
  tempDir?: string;
  checkout?: string;
  restore?: string;
}): void {
  if (state.registryHost) process.env[`STATE_${State.registryHost}`] = state.registryHost;
  if (state.checkout) process.env[`STATE_${State.checkout}`] = state.checkout;
  if (state.tempDir) process.env[`STATE_${State.tempDir}`] = state.tempDir;
  if (state.restore) process.env[`STATE_${State.restore}`] = state.restore;
}

/** A checkout the main step wrote into: .arg overwritten (backed up), certs/ca.pem new. */
function writtenCheckout() {
  const checkout = join(sandbox.dir, 'CanvOS');
  const temp = mkdtempSync(join(sandbox.dir, 'canvos-action-'));
  mkdirSync(join(checkout, 'certs'), { recursive: true });
  writeFileSync(join(temp, 'backup-0'), 'CUSTOM_TAG=mine\n');
  writeFileSync(join(checkout, '.arg'), 'CUSTOM_TAG=demo\nIMAGE_REGISTRY=ghcr.io/acme\n');
  writeFileSync(join(checkout, 'certs', 'ca.pem'), 'pem');
  const entries: RestoreEntry[] = [
    { path: join(checkout, '.arg'), backup: join(temp, 'backup-0') },
    { path: join(checkout, 'certs', 'ca.pem') },
    { path: join(checkout, 'certs'), directory: true },
  ];
  return { checkout, temp, restore: JSON.stringify(entries) };
}

/** The state the main step leaves after writing into `checkout`. */
function savedWrite(written: ReturnType<typeof writtenCheckout>): void {
  saveState({ tempDir: written.temp, checkout: written.checkout, restore: written.restore });
}

describe('post', () => {
  it('puts the checkout back as it was and removes the temporary folder', async () => {
    const printed = captureStdout();
    const written = writtenCheckout();
    const { checkout, temp } = written;
    savedWrite(written);
    await post();
    expect(readFileSync(join(checkout, '.arg'), 'utf8')).toBe('CUSTOM_TAG=mine\n');
    expect(existsSync(join(checkout, 'certs'))).toBe(false);
    expect(existsSync(temp)).toBe(false);
    expect(printed).toContain(`Removed ${temp}`);
    expect(printed.filter((line) => line.startsWith('::warning::'))).toEqual([]);
  });

  it('is safe to run twice: a second run does not put back stale backups', async () => {
    captureStdout();
    const written = writtenCheckout();
    const { checkout } = written;
    savedWrite(written);
    await post();
    writeFileSync(join(checkout, '.arg'), 'CUSTOM_TAG=edited-after\n');
    await post();
    expect(readFileSync(join(checkout, '.arg'), 'utf8')).toBe('CUSTOM_TAG=edited-after\n');
  });

  it('keeps a folder that holds files of the workflow’s own', async () => {
    const printed = captureStdout();
    const written = writtenCheckout();
    writeFileSync(join(written.checkout, 'certs', 'theirs.pem'), 'theirs');
    savedWrite(written);
    const { checkout } = written;
    await post();
    expect(readFileSync(join(checkout, 'certs', 'theirs.pem'), 'utf8')).toBe('theirs');
    expect(printed.filter((line) => line.startsWith('::warning::Could not restore'))).toHaveLength(
      1,
    );
  });

  it('a damaged list of files is a warning, and the rest of the clean-up still runs', async () => {
    const printed = captureStdout();
    const temp = mkdtempSync(join(sandbox.dir, 'canvos-action-'));
    saveState({ tempDir: temp, checkout: join(sandbox.dir, 'CanvOS'), restore: '[{"path":' });
    await post();
    expect(
      printed.some((l) => l.startsWith('::warning::Could not read the list of files to restore')),
    ).toBe(true);
    expect(existsSync(temp)).toBe(false);
  });

  it('logs out of the registry it logged in to, and only that one', async () => {
    const printed = captureStdout();
    const b64 = Buffer.from('robot:s3cret').toString('base64');
    writeDockerConfig(sandbox.dir, {
      auths: { '127.0.0.1:5000': { auth: b64 }, 'ghcr.io': { auth: b64 } },
    });
    saveState({ registryHost: '127.0.0.1:5000' });
    await post();
    const config = JSON.parse(
      readFileSync(join(sandbox.dir, 'docker-config', 'config.json'), 'utf8'),
    ) as {
      auths: Record<string, unknown>;
    };
    expect(Object.keys(config.auths)).toEqual(['ghcr.io']);
    expect(printed).toContain('Logged out of 127.0.0.1:5000');
  });

  it('with nothing saved, does nothing', async () => {
    const printed = captureStdout();
    await post();
    expect(printed).toEqual([]);
  });
});
