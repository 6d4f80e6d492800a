// 1. Bad input: every corpus case runs dist/index.js with one bad input on top of a valid base that
// would clone, download Earthly and log in. Each must fail with exactly one `::error::` line that
// names the input and the rule, exit code 1, no stack trace, and leave no trace: no request to the
// git server, the release server or the registry, nothing in RUNNER_TEMP, the tool cache or the
// Docker config, no Earthly run.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runAction } from '../harness/index.js';
import { badInputCorpus } from './corpus.js';
import { buildInputs, errorLines, hasStackTrace, useSuite } from './support.js';

const corpus = badInputCorpus();
const s = useSuite();
let baseline: { git: number; releases: number; registry: number; earthly: number };

const counts = () => ({
  git: s.h.git.requests.length,
  releases: s.h.releases.requests.length,
  registry: s.h.registry.requests.length,
  earthly: s.h.invocations().length,
});

/** A valid base that, if it ever got past validation, would touch all three servers. */
const base = () => buildInputs(s.h, { 'earthly-version': 'v0.8.15', 'custom-tag': 'ok' });

describe('1. bad input', () => {
  describe('setup', () => {
    it(`the corpus holds at least 200 cases (${corpus.length})`, () => {
      expect(corpus.length).toBeGreaterThanOrEqual(200);
      expect(new Set(corpus.map((c) => c.id)).size).toBe(corpus.length);
    });

    it('control: the valid base clones, downloads Earthly, logs in and builds', async () => {
      const workDir = s.h.jobDir('control');
      const result = await runAction({ inputs: base(), env: s.h.env(), workDir });
      expect(result.errors).toEqual([]);
      expect(result.code).toBe(0);
      expect(s.h.git.requests.length).toBeGreaterThan(0);
      expect(s.h.releases.downloads().length).toBeGreaterThan(0);
      expect(s.h.registry.logins().length).toBeGreaterThan(0);
      expect(s.h.invocations().length).toBeGreaterThan(0);
      baseline = counts();
    });
  });

  describe('corpus', () => {
    it.concurrent.each(corpus.map((c) => [c.id, c] as const))('%s', async (_id, c) => {
      expect(baseline, 'the control run must pass first').toBeDefined();
      const workDir = s.h.jobDir('bad');
      const result = await runAction({
        inputs: { ...base(), ...c.inputs },
        env: s.h.env(c.env),
        workDir,
        timeoutMs: 60_000,
      });
      const prefix = `${c.input}: `;
      expect(errorLines(result), result.stdout).toHaveLength(1);
      expect(result.errors).toHaveLength(1);
      const [message] = result.errors;
      expect(message.startsWith(prefix), message).toBe(true);
      expect(message.slice(prefix.length)).toMatch(c.rule);
      expect(result.code).toBe(1);
      expect(result.timedOut).toBe(false);
      expect(hasStackTrace(result), result.stdout + result.stderr).toBe(false);
      expect(result.warnings).toEqual([]);
      // No side effect: no server saw anything since the control run, nothing was written.
      expect(counts()).toEqual(baseline);
      expect(readdirSync(join(workDir, 'runner-temp'))).toEqual([]);
      expect(readdirSync(join(workDir, 'tool-cache'))).toEqual([]);
      expect(existsSync(join(workDir, 'home', '.docker', 'config.json'))).toBe(false);
      // Every state name claimed, empty: nothing for the post step to undo.
      expect(result.state).toEqual({
        'registry-host': '',
        'temp-dir': '',
        checkout: '',
        restore: '',
      });
      expect(result.outputs).toEqual({});
    });
  });

  describe('after the corpus', () => {
    it('no server saw a single request from any corpus case', () => {
      expect(counts()).toEqual(baseline);
    });
  });
});
