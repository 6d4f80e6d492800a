/** The rules every input shares: single lines, booleans, choices, lists and KEY=VALUE lines. */
import { InputError } from '../../errors.js';
import type { KeyValue, RunnerContext } from './types.js';

const KEY = /^[A-Z_][A-Z0-9_]*$/;

export function optional(value: string | undefined): string | undefined {
  return value ? value : undefined;
}

/** Shows a value in an error without letting it break the one-line message. */
export function quote(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  return JSON.stringify(shown);
}

export function singleLine(input: string, value: string): string {
  if (/[\r\n\0]/.test(value)) throw new InputError(input, 'must be a single line');
  return value;
}

export function parseBoolean(input: string, value: string, fallback: boolean): boolean {
  if (value === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new InputError(input, `${quote(value)} is not a boolean: use true or false`);
}

export function oneOf<T extends string>(input: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(input, `${quote(value)} is not one of ${allowed.join(', ')}`);
}

/** Splits a list input on commas and newlines, as docker/metadata-action does. */
export function splitList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

export function hasControlCharacter(value: string): boolean {
  return [...value].some((char) => char !== '\t' && (char < ' ' || char === '\x7f'));
}

/** `KEY=VALUE` lines; `#` comments and blank lines are skipped. */
export function parseKeyValueLines(input: string, value: string, secret = false): KeyValue[] {
  const pairs: KeyValue[] = [];
  for (const [index, raw] of value.split('\n').entries()) {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const key = eq < 0 ? line : line.slice(0, eq).trim();
    // A malformed secrets line may be the secret itself (a token pasted without KEY=): show its number.
    const shownLine = secret ? `line ${index + 1}` : quote(line);
    const shownKey = secret ? `the key on line ${index + 1}` : `key ${quote(key)}`;
    if (eq < 0) throw new InputError(input, `${shownLine} is not KEY=VALUE`);
    if (!KEY.test(key)) {
      throw new InputError(input, `${shownKey} must be an upper-case identifier (A-Z, 0-9, _)`);
    }
    pairs.push([key, line.slice(eq + 1)]);
  }
  return pairs;
}

/** A path input: absolute, or relative to the workspace. */
export function workspacePath(path: string, ctx: RunnerContext): string {
  return path.startsWith('/') ? path : `${ctx.workspace}/${path}`;
}

/**
 * A path input as it really is (links resolved), when it lies in the workspace or RUNNER_TEMP:
 * an input fed from an untrusted expression must not make the action read any file on the runner.
 * Undefined when there is no such file or folder.
 */
export function confinedPath(input: string, value: string, ctx: RunnerContext): string | undefined {
  let real: string;
  try {
    real = ctx.realPath(workspacePath(value, ctx));
  } catch {
    return undefined;
  }
  const roots = [ctx.workspace, ctx.runnerTemp].flatMap((root) => {
    try {
      return [ctx.realPath(root).replace(/\/+$/, '')];
    } catch {
      return [];
    }
  });
  if (!roots.some((root) => real === root || real.startsWith(`${root}/`))) {
    throw new InputError(input, `${quote(value)} is outside the workspace and RUNNER_TEMP`);
  }
  return real;
}

export function readInputFile(input: string, path: string, ctx: RunnerContext): string {
  const real = confinedPath(input, path, ctx);
  try {
    if (real === undefined) throw new Error('missing');
    return ctx.readFile(real);
  } catch {
    throw new InputError(input, `cannot read file ${quote(path)}`);
  }
}
