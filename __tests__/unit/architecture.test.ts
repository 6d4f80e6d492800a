// The layout the code promises (see CONTRIBUTING.md): a pure core, one folder per outside system,
// one home for the runner's environment, no import cycles. Read from the source text.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const SRC = join(ROOT, 'src');

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

const files = sourceFiles().map((path) => ({
  name: relative(SRC, path),
  text: readFileSync(path, 'utf8'),
}));

/** Imports that load a module at run time (`import type` is erased), as paths under src/. */
function runtimeImports(name: string, text: string): string[] {
  const found = text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'(\.[^']+)'/gms);
  return [...found].map((m) =>
    relative(SRC, resolve(dirname(join(SRC, name)), m[1].replace(/\.js$/, '.ts'))),
  );
}

function packageImports(text: string): string[] {
  const found = text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^.][^']*)'/gms);
  return [...found].map((m) => m[1]);
}

describe('source layout', () => {
  it('has no import cycles', () => {
    const graph = new Map(files.map((f) => [f.name, runtimeImports(f.name, f.text)]));
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const stack: string[] = [];
    const visit = (node: string) => {
      state.set(node, 'open');
      stack.push(node);
      for (const next of graph.get(node) ?? []) {
        if (state.get(next) === 'open')
          cycles.push([...stack.slice(stack.indexOf(next)), next].join(' → '));
        else if (!state.has(next)) visit(next);
      }
      stack.pop();
      state.set(node, 'done');
    };
    for (const name of graph.keys()) if (!state.has(name)) visit(name);
    expect(cycles).toEqual([]);
  });

  it('reads process.env and the inputs only in runner.ts', () => {
    const readers = files.filter((f) =>
      /process\.env|getInput\(|getMultilineInput\(|getBooleanInput\(/.test(f.text),
    );
    expect(readers.map((f) => f.name)).toEqual(['runner.ts']);
  });

  it('keeps core/ pure: no @actions packages, no child processes, no file system, no shells', () => {
    const impure = files
      .filter((f) => f.name.startsWith('core/'))
      .flatMap((f) => [
        ...packageImports(f.text)
          .filter((pkg) => /^@actions\/|^node:(fs|child_process|http|https|net)|^undici/.test(pkg))
          .map((pkg) => `${f.name} imports ${pkg}`),
        ...runtimeImports(f.name, f.text)
          .filter((dep) => !dep.startsWith('core/') && !PURE_OUTSIDE_CORE.includes(dep))
          .map((dep) => `${f.name} imports ${dep}`),
      ]);
    expect(impure).toEqual([]);
  });

  it('gives every module a unit test at the same path under __tests__/unit/', () => {
    const untested = files
      .map((f) => join('__tests__', 'unit', f.name.replace(/\.ts$/, '.test.ts')))
      .filter((test) => !existsSync(join(ROOT, test)));
    expect(untested).toEqual([]);
  });

  it('keeps main.ts to its phases and every module small', () => {
    const lines = (f: { text: string }) => f.text.trimEnd().split('\n').length;
    expect(lines(files.find((f) => f.name === 'main.ts')!)).toBeLessThanOrEqual(100);
    const large = files.filter((f) => lines(f) > 250).map((f) => `${f.name}: ${lines(f)} lines`);
    expect(large).toEqual([]);
  });
});

// Pure modules that live beside the shell they describe: the core may use them.
const PURE_OUTSIDE_CORE = [
  'errors.ts',
  'earthly/release.ts',
  'earthly/command.ts',
  'earthly/config-keys.ts',
  'canvos/token.ts',
];
