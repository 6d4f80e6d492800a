// Tiny images of a chosen platform, for the BuildKit image Earthly starts: loaded into the harness
// Docker (a runner that already has it) or pushed to a registry (a mirror that serves it). Docker
// pulls and loads them for real; nothing in them runs.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { dockerCli } from './dockerd.js';
import { exec } from './processes.js';

export interface TinyImage {
  /** The image config (os, architecture, one layer). */
  config: Buffer;
  /** That layer, an uncompressed tar holding /standin.txt. */
  layer: Buffer;
}

export const sha256 = (data: Buffer): string =>
  `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** `platform` is `os/architecture`, e.g. `linux/arm64`. */
export async function tinyImage(
  platform: string,
  note = 'harness stand-in image',
): Promise<TinyImage> {
  const [os, architecture] = platform.split('/');
  const dir = mkdtempSync(join(tmpdir(), 'canvos-image-'));
  try {
    writeFileSync(join(dir, 'standin.txt'), `${note} (${platform})\n`);
    // The tar tool's output, so the layer is a tar any reader accepts.
    await exec('tar', ['--mtime=@0', '--owner=0', '--group=0', '-cf', 'layer.tar', 'standin.txt'], {
      cwd: dir,
    });
    const layer = readFileSync(join(dir, 'layer.tar'));
    const config = Buffer.from(
      JSON.stringify({
        architecture,
        os,
        created: '2024-01-01T00:00:00Z',
        config: { Labels: { 'io.canvos.harness.note': note } },
        rootfs: { type: 'layers', diff_ids: [sha256(layer)] },
      }),
    );
    return { config, layer };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Loads one tiny image of `platform` into the Docker at `dockerHost`, under every name in `refs`. */
export async function loadImage(
  dockerHost: string,
  refs: string[],
  platform: string,
): Promise<void> {
  const image = await tinyImage(platform, 'buildkitd stand-in');
  const dir = mkdtempSync(join(tmpdir(), 'canvos-load-'));
  try {
    const configName = `${sha256(image.config).slice(7)}.json`;
    writeFileSync(join(dir, configName), image.config);
    writeFileSync(join(dir, 'layer.tar'), image.layer);
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify([{ Config: configName, RepoTags: refs, Layers: ['layer.tar'] }]),
    );
    await exec('tar', ['-cf', 'image.tar', 'manifest.json', configName, 'layer.tar'], { cwd: dir });
    await exec(dockerCli(), [
      '-H',
      dockerHost,
      'load',
      '--quiet',
      '--input',
      join(dir, 'image.tar'),
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The gzipped layer a registry serves, as Docker's manifests describe layers. */
export function gzipLayer(layer: Buffer): Buffer {
  return gzipSync(layer);
}

/**
 * Loads the images in `refs` that Docker lacks, all one tiny image of `platform`: the BuildKit
 * images Earthly would start here, as on a runner that has already pulled them (Docker Hub and
 * CanvOS's mirror are out of reach offline).
 */
export async function seedImages(
  dockerHost: string,
  refs: string[],
  platform: string,
): Promise<void> {
  const listed = await exec(dockerCli(), [
    '-H',
    dockerHost,
    'images',
    '--format',
    '{{.Repository}}:{{.Tag}}',
  ]);
  const have = new Set(listed.stdout.split('\n').map((line) => line.trim()));
  const missing = refs.filter((ref) => !have.has(ref.replace(/^docker\.io\//, '')));
  if (missing.length) await loadImage(dockerHost, missing, platform);
}

/** This machine's Docker platform, which a BuildKit image must match to start. */
export const HOST_PLATFORM = `linux/${process.arch === 'arm64' ? 'arm64' : 'amd64'}`;
/** The other platform runners have: an image of it does not start here without QEMU. */
export const OTHER_PLATFORM = HOST_PLATFORM === 'linux/amd64' ? 'linux/arm64' : 'linux/amd64';
