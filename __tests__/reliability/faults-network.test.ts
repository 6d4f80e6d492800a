// 4. Faults in the Earthly download, which @actions/tool-cache retries itself: three tries, with a
// random 10-20 s pause between them. tool-cache reads those pauses from globals meant for its own
// tests, not from the environment, so the cases here sit out the real pauses; they run side by
// side to keep the total near one retry cycle (about 40 s at worst).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../harness/index.js';
import { type Job, buildInputs, errorLines, hasStackTrace, runMain, useSuite } from './support.js';

const s = useSuite();

const sha256File = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const WAIT = /Waiting (\d+) seconds before trying again/g;

function waits(job: Job): number[] {
  return [...job.main.result.stdout.matchAll(WAIT)].map((m) => Number(m[1]));
}

function cachedVersions(job: Job, command: string): string[] {
  const dir = join(job.workDir, 'tool-cache', command);
  return existsSync(dir) ? readdirSync(dir).filter((entry) => !entry.endsWith('.lock')) : [];
}

function expectOneError(job: Job, pattern: RegExp): void {
  const { result } = job.main;
  expect(errorLines(result), result.stdout).toHaveLength(1);
  expect(result.errors[0]).toMatch(pattern);
  expect(result.code).toBe(1);
  expect(hasStackTrace(result), result.stdout).toBe(false);
}

async function expectCleanPost(job: Job): Promise<void> {
  const post = await job.runPost();
  expect(post.result.code).toBe(0);
  expect(post.result.warnings).toEqual([]);
  expect(readdirSync(join(job.workDir, 'runner-temp'))).toEqual([]);
}

// Each case's fault matches a download no other case here makes, so it hits only that case.
describe('4. faults', () => {
  describe('Earthly download retries', () => {
    it.concurrent(
      'release server answers 503, then recovers: retried, verified, cached, built',
      async () => {
        s.h.releases.failNext({ count: 1, status: 503, match: /\/v0\.8\.17\/earth-linux-amd64$/ });
        const job = await runMain(s, {
          name: 'release-503',
          inputs: buildInputs(s.h, {
            'earthly-distribution': 'earthbuild',
            'earthly-version': 'v0.8.17',
            'earthly-download-url': s.h.releases.earthbuildDownloadUrlTemplate,
          }),
        });
        expect(job.main.result.errors).toEqual([]);
        expect(job.main.result.code).toBe(0);
        expect(waits(job)).toHaveLength(1);
        const requests = s.h.releases.requests.filter(
          (r) => r.version === 'v0.8.17' && r.asset === 'earth-linux-amd64',
        );
        expect(requests.map((r) => [r.kind, r.status])).toEqual([
          ['release-download', 503],
          ['release-download', 302],
          ['object', 200],
        ]);
        const binary = join(job.workDir, 'tool-cache', 'earth', '0.8.17', 'x64', 'earth');
        expect(sha256File(binary)).toBe(s.h.releases.assetSha256('earthbuild', 'v0.8.17', 'amd64'));
        await expectCleanPost(job);
      },
    );

    it.concurrent(
      'connection refused: three tries, then a clear error; nothing cached',
      async () => {
        const url = `http://127.0.0.1:${await freePort()}/earthly/earthly/releases/download/{version}/{asset}`;
        const job = await runMain(s, {
          name: 'release-refused',
          inputs: buildInputs(s.h, { 'earthly-download-url': url }),
        });
        expectOneError(
          job,
          /^Earthly download failed: connection refused \(.*ECONNREFUSED.*\) for http:\/\/127\.0\.0\.1:\d+\/.*checksum\.asc$/,
        );
        expect(waits(job)).toHaveLength(2);
        expect(cachedVersions(job, 'earthly')).toEqual([]);
        await expectCleanPost(job);
      },
    );

    it.concurrent('truncated download, every try: a clear error; nothing cached', async () => {
      s.h.releases.truncateNext({ count: 3, match: /^earthly-linux-amd64$/ });
      const job = await runMain(s, { name: 'release-truncated', inputs: buildInputs(s.h) });
      expectOneError(
        job,
        /^Earthly download failed: .*for http:\/\/127\.0\.0\.1:\d+\/earthly\/earthly\/releases\/download\/v0\.8\.15\/earthly-linux-amd64$/,
      );
      expect(job.main.result.errors[0]).toMatch(
        /connection broke off|aborted|ECONNRESET|premature close/i,
      );
      expect(waits(job)).toHaveLength(2);
      const truncated = s.h.releases.requests.filter(
        (r) => r.truncated && r.asset === 'earthly-linux-amd64',
      );
      expect(truncated).toHaveLength(3);
      expect(cachedVersions(job, 'earthly')).toEqual([]);
      await expectCleanPost(job);
    });
  });
});
