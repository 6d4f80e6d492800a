// git against the harness's smart-HTTP server (git http-backend): the messages matched here are
// git's own (builtin/clone.c: "Remote branch %s not found in upstream %s").
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  cloneTag,
  describeTag,
  gitEnv,
  headCommit,
  listRemoteTags,
} from '../../../src/canvos/git.js';
import { gitTokenCredentials } from '../../../src/canvos/token.js';
import { parseLsRemoteTags } from '../../../src/core/canvos-tags.js';
import { ActionError } from '../../../src/errors.js';
import { CANVOS_FIXTURE, HARNESS_GITHUB_TOKEN, exec, gitClone } from '../../harness/index.js';
import { useCanvosGit } from '../../harness/suite.js';
import { rejection, useSandbox } from '../support.js';

const server = useCanvosGit();
const sandbox = useSandbox('git-test-', (dir) => ({ HOME: dir, GIT_CONFIG_NOSYSTEM: '1' }));
const auth = () => ({ token: HARNESS_GITHUB_TOKEN, serverUrl: server.git.baseUrl });

describe('gitEnv', () => {
  it('never prompts, and sends the token only to the workflow’s own server', () => {
    const repo = 'https://github.com/spectrocloud/CanvOS.git';
    expect(gitEnv(repo, undefined)).toEqual({ GIT_TERMINAL_PROMPT: '0', GCM_INTERACTIVE: 'never' });
    expect(gitEnv(repo, { token: 't0k', serverUrl: 'https://github.com' })).toEqual({
      GIT_TERMINAL_PROMPT: '0',
      GCM_INTERACTIVE: 'never',
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'http.https://github.com/.extraheader',
      GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${gitTokenCredentials('t0k')}`,
      // git/git http.c: http.followRedirects=false, so the header never reaches another origin.
      GIT_CONFIG_KEY_1: 'http.followRedirects',
      GIT_CONFIG_VALUE_1: 'false',
    });
    for (const other of ['https://gitlab.example.com/a/b.git', 'git@github.com:a/b.git', 'x'])
      expect(gitEnv(other, { token: 't0k', serverUrl: 'https://github.com' })).not.toHaveProperty(
        'GIT_CONFIG_COUNT',
      );
  });
});

describe('listRemoteTags', () => {
  it('lists every tag of the repository, each once', async () => {
    const tags = parseLsRemoteTags(await listRemoteTags(server.canvos.url));
    expect([...tags].sort()).toEqual(Object.keys(CANVOS_FIXTURE.tags).sort());
  });

  it('reaches a private repository with the token, only on its own server', async () => {
    const listing = await listRemoteTags(server.canvos.privateUrl, auth());
    expect(listing).toContain('refs/tags/v4.9.38');
    const error = await rejection(
      listRemoteTags(server.canvos.privateUrl, { ...auth(), serverUrl: 'https://github.com' }),
    );
    expect(error).toBeInstanceOf(ActionError);
    expect(error.message).toMatch(/^Could not list the tags of http:\/\/127\.0\.0\.1:\d+\/private/);
    expect(error.message).not.toContain(HARNESS_GITHUB_TOKEN);
  });
});

describe('cloneTag, headCommit and describeTag', () => {
  it('clones one tag and returns its commit', async () => {
    const dest = join(sandbox.dir, 'CanvOS');
    const commit = await cloneTag(server.canvos.url, 'v4.9.38', dest);
    expect(commit).toBe(server.canvos.tags['v4.9.38'].commit);
    expect(existsSync(join(dest, 'Earthfile'))).toBe(true);
    await expect(headCommit(dest)).resolves.toBe(commit);
  });

  it('says when the tag does not exist', async () => {
    const error = await rejection(cloneTag(server.canvos.url, 'v9.9.9', join(sandbox.dir, 'x')));
    expect(error).toBeInstanceOf(ActionError);
    expect(error.message).toBe(
      `Could not clone CanvOS v9.9.9 from ${server.canvos.url}: tag v9.9.9 does not exist there`,
    );
  });

  it('describes a workflow’s own checkout by the tag at HEAD, if there is one', async () => {
    const dest = join(sandbox.dir, 'own');
    await gitClone(server.canvos.url, 'v4.10.0', dest);
    await expect(describeTag(dest)).resolves.toBe('v4.10.0');
    await exec('git', ['-C', dest, 'checkout', '-q', CANVOS_FIXTURE.defaultBranch]);
    await expect(describeTag(dest)).resolves.toBeUndefined();
  });

  it('a folder that is not a checkout has no HEAD commit', async () => {
    const plain = join(sandbox.dir, 'plain');
    mkdirSync(plain);
    await expect(headCommit(plain)).rejects.toThrow(/is not a git checkout/);
    await expect(describeTag(plain)).resolves.toBeUndefined();
  });
});
