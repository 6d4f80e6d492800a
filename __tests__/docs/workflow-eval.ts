// Workflow pieces run as GitHub runs them: expressions by @actions/expressions (GitHub's own
// implementation of the expression language), `run:` steps by bash with a GITHUB_OUTPUT file.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { expect } from 'vitest';
import { parseCommandFile } from '../harness/runner.js';
import type { Step } from './readme.js';

const CONTEXTS = [
  'github',
  'env',
  'vars',
  'secrets',
  'steps',
  'needs',
  'matrix',
  'strategy',
  'runner',
  'job',
  'inputs',
];

export type Context = Record<string, unknown>;

/** Evaluates one GitHub expression (the text inside `${{ }}`) with @actions/expressions. */
export function evaluate(expression: string, context: Context): unknown {
  const { tokens } = new Lexer(expression).lex();
  const tree = new Parser(tokens, CONTEXTS, []).parse();
  const contextData = JSON.parse(JSON.stringify(context), data.reviver) as data.Dictionary;
  const result = new Evaluator(tree, contextData).evaluate();
  return JSON.parse(JSON.stringify(result, data.replacer)) as unknown;
}

/** A workflow value: `${{ x }}` alone keeps x's type (an array for fromJSON); else string interpolation. */
export function evaluateValue(value: unknown, context: Context): unknown {
  if (typeof value !== 'string') return value;
  const whole = /^\$\{\{(.*)\}\}$/s.exec(value.trim());
  if (whole && !whole[1].includes('${{')) return evaluate(whole[1], context);
  return value.replace(/\$\{\{(.*?)\}\}/gs, (_all, expression: string) => {
    const result = evaluate(expression, context);
    return typeof result === 'string' ? result : JSON.stringify(result);
  });
}

export function evaluateMap(
  map: Record<string, unknown> | undefined,
  context: Context,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map ?? {}))
    out[key] = String(evaluateValue(value, context));
  return out;
}

/**
 * A job's `if:`. Without a status function GitHub prefixes `success() &&`: the jobs it needs
 * succeeded here, so the condition alone decides.
 */
export function jobRuns(condition: string | undefined, context: Context): boolean {
  if (condition === undefined) return true;
  const text = condition.trim().replace(/^\$\{\{(.*)\}\}$/s, '$1');
  const result = evaluate(text, context);
  return result !== false && result !== 0 && result !== '' && result !== null;
}

/** Runs a `run:` step with bash as the runner does; returns what it wrote to GITHUB_OUTPUT. */
export function runShell(
  step: Step,
  context: Context,
  dir: string,
  env: Record<string, string | undefined>,
): { outputs: Record<string, string>; stdout: string } {
  mkdirSync(dir, { recursive: true });
  const outputFile = join(dir, 'output');
  writeFileSync(outputFile, '');
  const script = String(evaluateValue(step.run, context));
  const result = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', script], {
    cwd: dir,
    encoding: 'utf8',
    env: { HOME: dir, ...env, GITHUB_OUTPUT: outputFile, ...evaluateMap(step.env, context) },
  });
  expect(result.status, `${step.name ?? 'run step'}: ${result.stderr}`).toBe(0);
  return { outputs: parseCommandFile(readFileSync(outputFile, 'utf8')), stdout: result.stdout };
}
