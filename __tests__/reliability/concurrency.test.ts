// 5. Concurrency: two jobs at once on one runner, sharing a cold RUNNER_TOOL_CACHE and one Docker
// engine, as two runners on one self-hosted machine do. Both must succeed and leave exactly one
// intact cached Earthly: the release's bytes (sha256 as the release server serves them), its
// verified-hash record, the tool cache's completion marker, and no lock left behind. Repeated a few
// times, and once for EarthBuild, whose cached folder also holds the `earthly` alias.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runJob } from '../harness/index.js';
import { buildInputs, useSuite } from './support.js';

const s = useSuite();
/** Rounds in which both jobs downloaded and the second to lock reused the first one's copy. */
let raced = 0;

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

interface Round {
  name: string;
  distribution: 'earthly' | 'earthbuild';
  version: string;
}

const ROUNDS: Round[] = [
  { name: 'round 1', distribution: 'earthly', version: 'v0.8.15' },
  { name: 'round 2', distribution: 'earthly', version: 'v0.8.15' },
  { name: 'round 3', distribution: 'earthly', version: 'v0.8.16' },
  { name: 'EarthBuild', distribution: 'earthbuild', version: 'v0.8.18' },
];

describe('5. concurrency', () => {
  it.each(ROUNDS.map((r, i) => [r.name, r, i] as const))(
    '%s: two jobs, one cold tool cache, one Docker: both succeed, one intact binary',
    async (_name, round, index) => {
      const toolCache = join(s.h.jobDir(`cache-${index}`), 'tool-cache');
      const command = round.distribution === 'earthbuild' ? 'earth' : 'earthly';
      const env = s.h.env({ RUNNER_TOOL_CACHE: toolCache });
      const job = (tag: string) =>
        runJob({
          inputs: buildInputs(s.h, {
            'custom-tag': `${tag}-${index}`,
            'earthly-version': round.version,
            'earthly-distribution': round.distribution,
            'earthly-download-url': s.h.releases.urlTemplate(round.distribution),
          }),
          env,
          workDir: s.h.jobDir(`${tag}-${index}`),
        });
      const downloadsBefore = s.h.releases.downloads().length;
      const [a, b] = await Promise.all([job('a'), job('b')]);
      for (const { main, post } of [a, b]) {
        expect(main.errors).toEqual([]);
        expect(main.code).toBe(0);
        expect(post.code).toBe(0);
        expect(post.warnings).toEqual([]);
      }
      // Both pushed their own image.
      for (const tag of [`a-${index}`, `b-${index}`]) {
        expect(await s.h.registry.digestOf('edge/ubuntu', `k3s-1.32.3-v4.9.38-${tag}`)).toMatch(
          /^sha256:/,
        );
      }

      const tool = join(toolCache, command);
      const bare = round.version.slice(1);
      expect(readdirSync(tool).sort()).toEqual([bare]); // one version, no stray folder or lock
      expect(readdirSync(join(tool, bare)).sort()).toEqual(['x64', 'x64.complete']);
      const dir = join(tool, bare, 'x64');
      const expected = s.h.releases.assetSha256(round.distribution, round.version, 'amd64');
      expect(sha256(join(dir, command))).toBe(expected);
      expect(readFileSync(join(dir, '.sha256'), 'utf8')).toBe(`${expected}  ${command}\n`);
      if (command === 'earth') expect(readlinkSync(join(dir, 'earthly'))).toBe('earth');
      expect(readdirSync(dir).sort()).toEqual(
        command === 'earth' ? ['.sha256', 'earth', 'earthly'] : ['.sha256', 'earthly'],
      );
      // Both jobs ran that very binary.
      for (const { main } of [a, b])
        expect(main.stdout).toContain(`${round.version} is ready: ${join(dir, command)}`);
      // At most one download per job; whoever wrote second reused the first one's copy.
      expect(s.h.releases.downloads().length - downloadsBefore).toBeLessThanOrEqual(2);
      expect(existsSync(join(tool, bare, 'x64.lock'))).toBe(false);
      if (
        [a, b].some(({ main }) =>
          /Another job cached .* meanwhile; using its copy/.test(main.stdout),
        )
      )
        raced += 1;
    },
  );

  it("the race was real: in some round both jobs missed the cache and one took the other's copy", () => {
    expect(raced).toBeGreaterThan(0);
  });
});
