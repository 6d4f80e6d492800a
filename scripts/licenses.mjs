#!/usr/bin/env node
// Fails when a dependency that ships inside dist/ has a licence outside the allowlist below
// (npm run licenses). Two sources, both committed, so no install is needed:
//   - package-lock.json: every production dependency (not `dev`) and the licence npm recorded;
//   - dist/licenses.txt: what ncc actually bundled, with the licence it found for each package.
// A package in the bundle that is not a production dependency fails too (a dev tool leaked in), and
// so does a file in dist/ that none of this accounts for.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

// Permissive licences, fine to redistribute inside an Apache-2.0 action. Add one only after
// reading it; copyleft (GPL, LGPL, AGPL, MPL, EPL, ...) does not belong in dist/.
const ALLOWED = new Set([
  '0BSD',
  'Apache-2.0',
  'BlueOak-1.0.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'CC0-1.0',
  'ISC',
  'MIT',
  'Unlicense',
  'Zlib',
]);

/** An SPDX expression is allowed when one side of each OR, and both sides of each AND, are. */
function allowed(expression) {
  const text = String(expression ?? '')
    .trim()
    .replace(/^\((.*)\)$/, '$1');
  if (!text) return false;
  if (/\sOR\s/i.test(text)) return text.split(/\s+OR\s+/i).some(allowed);
  if (/\sAND\s/i.test(text)) return text.split(/\s+AND\s+/i).every(allowed);
  return ALLOWED.has(text);
}

const problems = [];

// Production dependencies, as the lock file records them.
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
const production = new Map();
for (const [path, entry] of Object.entries(lock.packages ?? {})) {
  if (!path || entry.dev || entry.devOptional || entry.link) continue;
  const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  production.set(name, entry);
  if (!allowed(entry.license)) {
    problems.push(`${name}@${entry.version}: licence ${entry.license ?? '(none recorded)'}`);
  }
}

// The bundles: the main step's in dist/, the post step's in dist/post/.
const BUNDLES = ['dist', 'dist/post'];
const bundledNames = new Set();

// What ncc bundled: blocks of "name\nlicence\ntext", each after a blank line.
const PACKAGE_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;
for (const bundle of BUNDLES) {
  const lines = readFileSync(join(ROOT, bundle, 'licenses.txt'), 'utf8').split('\n');
  const bundled = [];
  for (let i = 0; i < lines.length - 1; i++) {
    if ((i === 0 || lines[i - 1] === '') && PACKAGE_NAME.test(lines[i]) && lines[i + 1]) {
      bundled.push({ name: lines[i], license: lines[i + 1].trim() });
    }
  }
  if (bundled.length === 0)
    problems.push(`${bundle}/licenses.txt lists no packages: run npm run bundle`);
  for (const { name, license } of bundled) {
    bundledNames.add(name);
    if (!production.has(name))
      problems.push(`${name} is bundled but is not a production dependency`);
    if (!allowed(license)) problems.push(`${name} (bundled): licence ${license}`);
  }
}

// Every file in the bundles: the bundle and its map, the chunks ncc splits off for dynamic
// imports (N.index.js), and ncc's own source-map support (source-map-support and buffer-from,
// MIT; source-map, BSD-3-Clause), which licenses.txt does not list.
const DIST_FILES = [
  /^index\.js(\.map)?$/,
  /^\d+\.index\.js(\.map)?$/,
  /^licenses\.txt$/,
  /^package\.json$/,
  /^sourcemap-register\.cjs$/,
];
for (const bundle of BUNDLES) {
  for (const entry of readdirSync(join(ROOT, bundle), { withFileTypes: true })) {
    const known = entry.isDirectory()
      ? bundle === 'dist' && BUNDLES.includes(`dist/${entry.name}`)
      : DIST_FILES.some((pattern) => pattern.test(entry.name));
    if (!known) problems.push(`${bundle}/${entry.name}: not accounted for in scripts/licenses.mjs`);
  }
}

if (problems.length) {
  console.error(
    `Licences outside the allowlist (scripts/licenses.mjs):\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
const summary = [...production].map(([name, entry]) => `${name} ${entry.license}`).join(', ');
console.log(
  `${production.size} production dependencies, ${bundledNames.size} bundled: all allowed (${summary})`,
);
