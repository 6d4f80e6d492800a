// Prints the suite's figures: per category (a test file's top-level describe), the cases tried and
// passed. Any failure, or (when the whole suite was asked for) a category without a single case,
// makes the run fail.
import type { Reporter, TestCase, TestModule, TestSuite, Vitest } from 'vitest/node';

/** The categories the suite must cover, in the order of issue 5. */
export const CATEGORIES = [
  '1. bad input',
  '2. injection',
  '3. secrets',
  '4. faults',
  '5. concurrency',
  '6. post step',
] as const;

interface Tally {
  tried: number;
  passed: number;
  skipped: number;
  failures: string[];
}

function category(test: TestCase): string {
  let node: TestCase | TestSuite = test;
  while (node.parent.type === 'suite') node = node.parent;
  return node === test ? '(outside a category)' : node.name;
}

export function tally(modules: ReadonlyArray<TestModule>): Map<string, Tally> {
  const tallies = new Map<string, Tally>(
    CATEGORIES.map((name) => [name, { tried: 0, passed: 0, skipped: 0, failures: [] }]),
  );
  for (const module of modules) {
    for (const test of module.children.allTests()) {
      const name = category(test);
      let t = tallies.get(name);
      if (!t) tallies.set(name, (t = { tried: 0, passed: 0, skipped: 0, failures: [] }));
      const state = test.result().state;
      if (state === 'skipped' || state === 'pending') {
        t.skipped += 1;
        continue;
      }
      t.tried += 1;
      if (state === 'passed') t.passed += 1;
      else t.failures.push(test.fullName);
    }
  }
  return tallies;
}

export default class ReliabilityReporter implements Reporter {
  private started = Date.now();
  private vitest?: Vitest;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  /** Files or test names were filtered on the command line: some categories are meant to be absent. */
  private filtered(): boolean {
    const v = this.vitest as unknown as {
      filenamePattern?: string[];
      config?: { testNamePattern?: RegExp };
    };
    return Boolean(v?.filenamePattern?.length || v?.config?.testNamePattern);
  }

  onTestRunStart(): void {
    this.started = Date.now();
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const tallies = tally(modules);
    const width = Math.max(...[...tallies.keys()].map((name) => name.length), 8);
    const row = (name: string, tried: string, passed: string, failed: string, note = ''): string =>
      `${name.padEnd(width)}  ${tried.padStart(5)}  ${passed.padStart(6)}  ${failed.padStart(6)}  ${note}`;
    const lines = [
      '',
      'Reliability and security suite',
      row('category', 'tried', 'passed', 'failed'),
    ];
    let tried = 0;
    let passed = 0;
    let broken = false;
    const filtered = this.filtered();
    for (const [name, t] of tallies) {
      const failed = t.tried - t.passed;
      const missing = t.tried === 0;
      broken ||= (missing && !filtered) || failed > 0;
      tried += t.tried;
      passed += t.passed;
      const note = missing
        ? filtered
          ? '(not selected)'
          : 'NO CASE RAN'
        : t.skipped
          ? `(${t.skipped} skipped)`
          : '';
      lines.push(row(name, String(t.tried), String(t.passed), String(failed), note));
    }
    lines.push(row('total', String(tried), String(passed), String(tried - passed)));
    const failedModules = modules.filter((m) => m.state() === 'failed' && !m.children.size);
    for (const m of failedModules)
      lines.push(`file failed before any case ran: ${m.relativeModuleId}`);
    for (const t of tallies.values()) for (const f of t.failures) lines.push(`FAILED: ${f}`);
    lines.push(`wall time: ${((Date.now() - this.started) / 1000).toFixed(1)} s`, '');
    process.stdout.write(lines.join('\n') + '\n');
    if (broken || failedModules.length) process.exitCode = 1;
  }
}
