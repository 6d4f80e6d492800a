import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as exec from '@actions/exec';
import { ActionError } from './errors.js';
import { configKeyMatches } from './registry.js';

async function docker(args: string[], input?: Buffer): Promise<exec.ExecOutput> {
  return exec.getExecOutput('docker', args, { input, silent: true, ignoreReturnCode: true });
}

/** `docker login` with the password on stdin, never on the command line. */
export async function dockerLogin(host: string, username: string, password: string): Promise<void> {
  const result = await docker(
    ['login', `--username=${username}`, '--password-stdin', '--', host],
    Buffer.from(password),
  );
  if (result.exitCode !== 0) {
    const reason = result.stderr.trim().split('\n').pop() ?? '';
    const hint = /401|unauthorized|denied|incorrect/i.test(reason)
      ? 'check registry-username and registry-password (for GHCR: a token with write:packages)'
      : 'check that Docker runs and the registry answers';
    throw new ActionError(
      `docker login to ${host} failed: ${reason.replaceAll(password, '***')} — ${hint}`,
    );
  }
}

export async function dockerLogout(host: string): Promise<string | undefined> {
  const result = await docker(['logout', host]);
  if (result.exitCode !== 0) return result.stderr.trim() || `exit code ${result.exitCode}`;
  // docker logout exits 0 even when it cannot rewrite its config (a full disk, a read-only file):
  // make sure the password is really gone.
  const file = join(process.env.DOCKER_CONFIG || join(homedir(), '.docker'), 'config.json');
  const config = (await readFile(file, 'utf8')
    .then(JSON.parse)
    .catch(() => ({}))) as { auths?: Record<string, { auth?: string } | null> };
  const left = Object.entries(config.auths ?? {}).some(
    ([key, entry]) => entry?.auth && configKeyMatches(key, host),
  );
  return left ? `its credentials are still in ${file}` : undefined;
}

/** Docker's data directory, where a local BuildKit keeps its cache. */
export async function dockerRootDir(): Promise<string | undefined> {
  const result = await docker(['info', '--format', '{{.DockerRootDir}}']);
  const dir = result.stdout.trim();
  return result.exitCode === 0 && dir.startsWith('/') ? dir : undefined;
}
