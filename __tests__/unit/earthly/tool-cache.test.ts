import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tc from '@actions/tool-cache';
import { describe, expect, it } from 'vitest';
import {
  SHA256_RECORD,
  cacheUnderLock,
  findIntactCache,
  stageBinary,
} from '../../../src/earthly/tool-cache.js';
import { sha256File } from '../../../src/lib/sha256.js';
import { toolCacheEnv, useSandbox } from '../support.js';

const sandbox = useSandbox('tool-cache-test-', toolCacheEnv);

/** Stages and caches a small `command` binary as version 0.8.17; its cached folder and hash. */
async function cached(command: 'earthly' | 'earth', body = `#!/bin/sh\necho ${command}\n`) {
  const downloaded = path.join(sandbox.dir, `download-${command}`);
  fs.writeFileSync(downloaded, body);
  const sha256 = await sha256File(downloaded);
  const staging = path.join(sandbox.dir, `staging-${command}`);
  await stageBinary(downloaded, staging, command, sha256);
  const dir = await cacheUnderLock(staging, command, '0.8.17', 'x64', sha256);
  return { dir, sha256, staging };
}

describe('stageBinary and cacheUnderLock', () => {
  it('lays out the binary and its sha256 record', async () => {
    const { dir, sha256 } = await cached('earthly');
    expect(dir).toBe(tc.find('earthly', '0.8.17', 'x64'));
    expect(fs.readdirSync(dir).sort()).toEqual(['.sha256', 'earthly']);
    expect(fs.readFileSync(path.join(dir, SHA256_RECORD), 'utf8')).toBe(`${sha256}  earthly\n`);
    const stat = fs.statSync(path.join(dir, 'earthly'));
    expect(stat.mode & 0o777).toBe(0o755);
    expect(fs.existsSync(path.join(path.dirname(dir), 'x64.lock'))).toBe(false);
  });

  it('gives the fork’s earth an earthly alias that survives the copy into the cache', async () => {
    const { dir } = await cached('earth');
    expect(fs.readlinkSync(path.join(dir, 'earthly'))).toBe('earth');
  });

  it('reuses an intact copy another job cached meanwhile', async () => {
    const first = await cached('earthly');
    const again = await cached('earthly');
    expect(again.dir).toBe(first.dir);
    expect(fs.existsSync(again.staging)).toBe(true); // not copied: the first job's copy stands
  });
});

describe('findIntactCache', () => {
  it('finds a cached binary that still hashes to its record (and to the pin, when given)', async () => {
    const { dir, sha256 } = await cached('earthly');
    await expect(findIntactCache('earthly', '0.8.17', 'x64')).resolves.toEqual({ dir, sha256 });
    await expect(findIntactCache('earthly', '0.8.17', 'x64', sha256)).resolves.toEqual({
      dir,
      sha256,
    });
  });

  it.each<[string, (dir: string) => void]>([
    ['a truncated binary', (dir) => fs.truncateSync(path.join(dir, 'earthly'), 3)],
    ['no sha256 record', (dir) => fs.rmSync(path.join(dir, SHA256_RECORD))],
    ['no binary', (dir) => fs.rmSync(path.join(dir, 'earthly'))],
    [
      'a record for another command',
      (dir) => fs.writeFileSync(path.join(dir, SHA256_RECORD), `${'a'.repeat(64)}  earth\n`),
    ],
  ])('ignores a cached folder with %s', async (_what, damage) => {
    const { dir } = await cached('earthly');
    damage(dir);
    await expect(findIntactCache('earthly', '0.8.17', 'x64')).resolves.toBeUndefined();
  });

  it('ignores a copy verified as another sha256 than the expected one, and a missing alias', async () => {
    await cached('earthly');
    await expect(
      findIntactCache('earthly', '0.8.17', 'x64', 'f'.repeat(64)),
    ).resolves.toBeUndefined();
    const { dir } = await cached('earth');
    fs.rmSync(path.join(dir, 'earthly'));
    await expect(findIntactCache('earth', '0.8.17', 'x64')).resolves.toBeUndefined();
  });

  it('finds nothing in an empty tool cache', async () => {
    await expect(findIntactCache('earthly', '0.8.17', 'x64')).resolves.toBeUndefined();
  });
});
