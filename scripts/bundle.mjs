// `npm run bundle`: ncc builds each step's entry into a clean folder — the main step's src/index.ts
// into dist/ (index.js and the chunks its dynamic import()s load), the post step's
// src/post-entry.ts into dist/post/ — with source maps, then each folder's licenses.txt lists the
// license of every package in any of its chunks. ncc's own --license output is written once per
// chunk to the same file, so only the last chunk's packages would remain; its webpack stats name
// every module of every chunk instead.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BUNDLES = [
  ['src/index.ts', 'dist'],
  ['src/post-entry.ts', 'dist/post'],
];

const scratch = mkdtempSync(join(tmpdir(), 'bundle-'));
rmSync('dist', { recursive: true, force: true }); // no chunk of an earlier build stays behind
try {
  for (const [entry, out] of BUNDLES) {
    const statsFile = join(scratch, 'stats.json');
    execFileSync('ncc', ['build', entry, '-o', out, '--source-map', '--stats-out', statsFile], {
      stdio: 'inherit',
    });
    const stats = JSON.parse(readFileSync(statsFile, 'utf8'));
    writeFileSync(join(out, 'licenses.txt'), licenses(packagesIn(stats.modules)));
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

function packagesIn(modules = [], found = new Set()) {
  for (const module of modules) {
    packagesIn(module.modules, found); // a concatenated module lists its parts
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(module.name ?? '');
    if (match) found.add(match[1]);
  }
  return found;
}

/** The layout ncc's --license gives: name, license id, license text; blank lines between. */
function licenses(packages) {
  const entries = [...packages].sort().map((name) => {
    const dir = join('node_modules', name);
    const { license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^licen[cs]e/i.test(f));
    return `${name}\n${license}\n${file ? readFileSync(join(dir, file), 'utf8') : ''}`;
  });
  return entries.join('\n\n');
}
