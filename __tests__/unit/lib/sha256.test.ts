import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256File } from '../../../src/lib/sha256.js';
import { useSandbox } from '../support.js';

const sandbox = useSandbox('sha256-test-');

describe('sha256File', () => {
  it('is the sha256sum of the file, also across many read chunks', async () => {
    const empty = path.join(sandbox.dir, 'empty');
    fs.writeFileSync(empty, '');
    // sha256 of nothing, as sha256sum prints it.
    await expect(sha256File(empty)).resolves.toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    const large = path.join(sandbox.dir, 'large');
    const bytes = Buffer.alloc(1024 * 1024 + 7, 'earthly');
    fs.writeFileSync(large, bytes);
    await expect(sha256File(large)).resolves.toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  it('rejects for a file that is not there', async () => {
    await expect(sha256File(path.join(sandbox.dir, 'absent'))).rejects.toThrow(/ENOENT/);
  });
});
