#!/usr/bin/env node
// Regenerates the Inputs and Outputs tables in README.md from action.yml with action-docs
// (https://github.com/npalm/action-docs), between its marker comments:
//   <!-- action-docs-inputs source="action.yml" --> ... <!-- action-docs-inputs source="action.yml" -->
//
//   node scripts/docs.mjs           rewrite README.md in place     (npm run docs)
//   node scripts/docs.mjs --check   fail when README.md is stale   (npm run docs:check)
//
// The check regenerates into a temporary copy and compares, so it never touches the work tree.
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateActionMarkdownDocs } from 'action-docs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = 'action.yml'; // as written in the marker comments, relative to the repository root
const README = join(ROOT, 'README.md');
const SECTIONS = ['inputs', 'outputs'];
const TOC_LEVEL = 3; // the tables sit under "## Inputs and outputs"

async function generate(readmeFile) {
  const text = await readFile(readmeFile, 'utf8');
  for (const section of SECTIONS) {
    const marker = `<!-- action-docs-${section} source="${SOURCE}" -->`;
    if (!text.includes(marker)) {
      throw new Error(`${relative(ROOT, README)} has no ${marker} marker`);
    }
  }
  process.chdir(ROOT); // action-docs resolves the source file from the working directory
  await generateActionMarkdownDocs({
    sourceFile: SOURCE,
    tocLevel: TOC_LEVEL,
    updateReadme: true,
    readmeFile,
    lineBreaks: 'LF',
  });
}

function firstDifference(expected, actual) {
  const a = expected.split('\n');
  const b = actual.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      return `line ${i + 1}:\n  README.md: ${JSON.stringify(b[i] ?? '(end of file)')}\n  generated: ${JSON.stringify(a[i] ?? '(end of file)')}`;
    }
  }
  return '';
}

async function main() {
  const check = process.argv.includes('--check');
  if (!check) {
    await generate(README);
    console.log('README.md: Inputs and Outputs regenerated from action.yml');
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'readme-docs-'));
  try {
    const copy = join(dir, 'README.md');
    await copyFile(README, copy);
    await generate(copy);
    const [current, expected] = await Promise.all([
      readFile(README, 'utf8'),
      readFile(copy, 'utf8'),
    ]);
    if (current !== expected) {
      console.error(
        'README.md is out of date with action.yml: run `npm run docs` and commit README.md.',
      );
      console.error(`First difference at ${firstDifference(expected, current)}`);
      process.exitCode = 1;
      return;
    }
    console.log('README.md Inputs and Outputs match action.yml');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
