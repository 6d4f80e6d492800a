// What the documentation tests read: README.md's yaml examples and action.yml's contract.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseDocument } from 'yaml';

export const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const README_PATH = join(ROOT, 'README.md');
export const ACTION_NAME = 'your-org/canvos-provider-images-action';

export interface ActionInput {
  description?: string;
  required?: boolean;
  default?: string;
}

export interface ActionYml {
  name: string;
  description: string;
  inputs: Record<string, ActionInput>;
  outputs: Record<string, { description?: string }>;
  runs: { using: string; main: string; post?: string };
}

export function readActionYml(): ActionYml {
  return parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as ActionYml;
}

export function readReadme(): string {
  return readFileSync(README_PATH, 'utf8');
}

export interface YamlBlock {
  /** 1-based README line of the block's first content line. */
  line: number;
  text: string;
}

/** The fenced ```yaml (or ```yml) blocks of a Markdown text. */
export function yamlBlocks(markdown: string): YamlBlock[] {
  const blocks: YamlBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*(yaml|yml)\s*$/.exec(lines[i]);
    if (!open) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].startsWith(open[1])) body.push(lines[j++]);
    blocks.push({ line: i + 2, text: `${body.join('\n')}\n` });
    i = j;
  }
  return blocks;
}

export interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, unknown>;
}

export interface Job {
  'runs-on'?: unknown;
  if?: string;
  needs?: string | string[];
  outputs?: Record<string, string>;
  strategy?: { matrix?: unknown };
  permissions?: unknown;
  steps?: Step[];
}

export interface Workflow {
  name?: string;
  on?: unknown;
  permissions?: unknown;
  jobs: Record<string, Job>;
}

/** Parses a block strictly: any YAML error or warning throws. */
export function parseWorkflow(block: YamlBlock): Workflow {
  const doc = parseDocument(block.text, { prettyErrors: true, uniqueKeys: true });
  const problems = [...doc.errors, ...doc.warnings];
  if (problems.length) {
    throw new Error(`README line ${block.line}: ${problems.map((p) => p.message).join('; ')}`);
  }
  return doc.toJS() as Workflow;
}

/** Every step that runs this action (`your-org/canvos-provider-images-action@...`). */
export function actionSteps(workflow: Workflow): Array<{ job: string; step: Step }> {
  const found: Array<{ job: string; step: Step }> = [];
  for (const [job, spec] of Object.entries(workflow.jobs ?? {})) {
    for (const step of spec.steps ?? []) {
      if (typeof step.uses === 'string' && step.uses.startsWith(`${ACTION_NAME}@`))
        found.push({ job, step });
    }
  }
  return found;
}

/** The `## Heading` section of the README, up to the next `## `. */
export function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README has no "## ${heading}" section`);
  const next = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, next < 0 ? undefined : next);
}
