import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkEmulation } from '../../../src/docker/emulation.js';

// What the kernel shows under /proc/sys/fs/binfmt_misc once docker/setup-qemu-action (tonistiigi/
// binfmt) has registered QEMU: one file per handler, its first line "enabled".
function binfmt(entries: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'binfmt-'));
  for (const [name, text] of Object.entries(entries)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('checkEmulation', () => {
  it('needs nothing when the image arch is the runner’s', async () => {
    await expect(checkEmulation('amd64', 'amd64', binfmt({}))).resolves.toBeUndefined();
  });

  it('arm64 on amd64 without qemu-aarch64 fails with the fix', async () => {
    const dir = binfmt({});
    await expect(checkEmulation('arm64', 'amd64', dir)).rejects.toThrow(
      `arch: arm64 on an amd64 runner needs QEMU, and ${dir}/qemu-aarch64 is not an enabled handler: add "- uses: docker/setup-qemu-action@v3" before this step`,
    );
  });

  it('a disabled handler is no handler', async () => {
    const dir = binfmt({ 'qemu-aarch64': 'disabled\ninterpreter /usr/bin/qemu-aarch64\n' });
    await expect(checkEmulation('arm64', 'amd64', dir)).rejects.toThrow(/needs QEMU/);
  });

  it('an enabled qemu-aarch64 (or qemu-x86_64 the other way) is enough', async () => {
    const dir = binfmt({
      'qemu-aarch64': 'enabled\ninterpreter /usr/bin/qemu-aarch64\nflags: POCF\n',
      'qemu-x86_64': 'enabled\ninterpreter /usr/bin/qemu-x86_64\nflags: POCF\n',
    });
    await expect(checkEmulation('arm64', 'amd64', dir)).resolves.toBeUndefined();
    await expect(checkEmulation('amd64', 'arm64', dir)).resolves.toBeUndefined();
  });
});
