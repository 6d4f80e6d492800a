import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import {
  exactTag,
  nearestTags,
  parseLsRemoteTags,
  resolveCanvosTag,
  yamlNumberHint,
} from '../../../src/core/canvos-tags.js';
import { inputError } from '../support.js';

// CanvOS's real tag list: `git show-ref --tags -d`, as `<sha>\t<ref>` lines (the ls-remote shape).
const LS_REMOTE = readFileSync(
  new URL('../../fixtures/canvos-ls-remote.txt', import.meta.url),
  'utf8',
);
const TAGS = parseLsRemoteTags(LS_REMOTE);

/** An independent reading of the list: plain vX.Y.Z tags (and pre-releases if asked), by semver. */
function newestBySemver(filter: (version: string) => boolean, prerelease: boolean): string {
  const lines = LS_REMOTE.split('\n').filter(Boolean);
  const names = new Set(
    lines.map((line) => line.split('\t')[1].replace('refs/tags/', '').replace('^{}', '')),
  );
  const candidates = [...names].filter((name) =>
    prerelease ? /^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/.test(name) : /^v\d+\.\d+\.\d+$/.test(name),
  );
  const sorted = candidates
    .filter((name) => filter(name.slice(1)))
    .sort((a, b) => semver.rcompare(a.slice(1), b.slice(1)));
  return sorted[0];
}

describe('parseLsRemoteTags', () => {
  it('lists each real tag once, annotated ^{} entries folded in', () => {
    const lines = LS_REMOTE.trim().split('\n');
    const peeled = lines.filter((line) => line.endsWith('^{}'));
    expect(lines.length).toBe(234);
    expect(peeled.length).toBe(76);
    expect(TAGS.length).toBe(lines.length - peeled.length);
    expect(new Set(TAGS).size).toBe(TAGS.length);
    expect(TAGS.filter((tag) => tag.includes('^'))).toEqual([]);
    expect(TAGS).toContain('v4.10.0-rc.10');
    expect(TAGS).toContain('archive/feat-unified-base-images-earthly-attempt');
  });

  it('keeps the first-seen order and ignores non-tag refs and junk', () => {
    const output = [
      'aaa\trefs/heads/main',
      'bbb\trefs/tags/v1.0.0',
      'ccc\trefs/tags/v1.0.0^{}',
      'ddd\trefs/tags/v0.9.0^{}',
      'eee\trefs/tags/v0.9.0',
      'no tab here',
      '',
      'fff\trefs/pull/1/head',
      'ggg\trefs/tags/v1.1.0\r',
    ].join('\n');
    expect(parseLsRemoteTags(output)).toEqual(['v1.0.0', 'v0.9.0', 'v1.1.0']);
  });
});

describe('resolveCanvosTag on the real tag list', () => {
  it('latest is the highest stable semver tag', () => {
    const expected = newestBySemver(() => true, false);
    expect(expected).toBe('v4.10.0');
    expect(resolveCanvosTag('latest', TAGS, false)).toBe(expected);
  });

  it('v4.10.0 outranks v4.10.0-rc.10 even with pre-releases allowed', () => {
    expect(resolveCanvosTag('latest', TAGS, true)).toBe('v4.10.0');
    expect(newestBySemver(() => true, true)).toBe('v4.10.0');
    // git's own version sort ranks them the other way round: the reason not to use it.
    expect(semver.gt('4.10.0', '4.10.0-rc.10')).toBe(true);
  });

  it('~4.9 picks the newest stable 4.9.x', () => {
    const expected = newestBySemver((v) => semver.satisfies(v, '~4.9'), false);
    expect(expected).toBe('v4.9.38');
    expect(resolveCanvosTag('~4.9', TAGS, false)).toBe(expected);
    expect(resolveCanvosTag('4.9.x', TAGS, false)).toBe('v4.9.38');
    expect(resolveCanvosTag('v4.9', TAGS, false)).toBe('v4.9.38');
  });

  it('with pre-releases allowed, a newer rc wins', () => {
    const expected = newestBySemver(
      (v) => semver.satisfies(v, '~4.9', { includePrerelease: true }),
      true,
    );
    expect(expected).toBe('v4.9.39-rc.3');
    expect(resolveCanvosTag('~4.9', TAGS, true)).toBe(expected);
    expect(resolveCanvosTag('>=4.10.0-0 <4.10.0', TAGS, true)).toBe('v4.10.0-rc.10');
  });

  it('-patch.N and -alpha tags are pre-releases: skipped by default, ranked before their release', () => {
    expect(resolveCanvosTag('~4.6', TAGS, false)).toBe('v4.6.24');
    expect(resolveCanvosTag('>=4.6.21-0 <4.6.22', TAGS, true)).toBe('v4.6.21');
    // semver puts 4.6.21-patch.7 below 4.6.21, though CanvOS cut it after the release.
    expect(resolveCanvosTag('<4.6.21', TAGS, true)).toBe('v4.6.21-patch.7');
    expect(resolveCanvosTag('<4.6.21', TAGS, false)).toBe('v4.6.20');
    expect(resolveCanvosTag('~4.8', TAGS, false)).toBe('v4.8.26');
    expect(resolveCanvosTag('<=4.8.10', TAGS, true)).toBe('v4.8.10');
    expect(resolveCanvosTag('<4.8.10', TAGS, true)).toBe('v4.8.10-alpha1');
  });

  it('ignores letter tags and archive/ tags', () => {
    const tags = ['v4.8.a', 'v4.8.b', 'archive/v9.9.9', 'v4.8.3', 'v4.9.a'];
    expect(resolveCanvosTag('latest', tags, true)).toBe('v4.8.3');
    expect(resolveCanvosTag('~4.8', tags, true)).toBe('v4.8.3');
    const only = inputError(() =>
      resolveCanvosTag('latest', ['v4.8.a', 'archive/v9.9.9', 'main'], true),
    );
    expect(only.rule).toBe('no CanvOS tag matches "latest"');
  });

  it('an exact version needs no listing and gets its v', () => {
    expect(resolveCanvosTag('4.9.38', [], false)).toBe('v4.9.38');
    expect(resolveCanvosTag('v4.9.38', [], false)).toBe('v4.9.38');
    expect(resolveCanvosTag('v4.10.0-rc.10', [], false)).toBe('v4.10.0-rc.10');
    expect(exactTag('4.9.38')).toBe('v4.9.38');
    expect(exactTag('latest')).toBeUndefined();
    expect(exactTag('~4.9')).toBeUndefined();
    expect(exactTag('v4.9')).toBeUndefined();
    expect(exactTag('v4.8.a')).toBeUndefined();
  });

  it('no match is an InputError on canvos-version with the pre-release hint and the newest tags', () => {
    const error = inputError(() => resolveCanvosTag('~4.11', TAGS, false));
    expect(error.input).toBe('canvos-version');
    expect(error.message).toBe(
      'canvos-version: no CanvOS tag matches "~4.11" (pre-releases need canvos-prerelease: true); ' +
        'newest tags: v4.10.0, v4.9.38, v4.9.37, v4.9.36, v4.9.35',
    );
  });

  it('only a pre-release matches: the hint says how to get it', () => {
    const error = inputError(() => resolveCanvosTag('>4.9.38 <4.10.0-0', TAGS, false));
    expect(error.rule).toContain('(pre-releases need canvos-prerelease: true)');
    expect(resolveCanvosTag('>4.9.38 <4.10.0-0', TAGS, true)).toBe('v4.9.39-rc.3');
  });

  it('no hint when pre-releases were already allowed', () => {
    const error = inputError(() => resolveCanvosTag('^5', TAGS, true));
    expect(error.rule).toBe(
      'no CanvOS tag matches "^5"; newest tags: v4.10.0, v4.10.0-rc.10, v4.10.0-rc.9, v4.10.0-rc.8, v4.10.0-rc.7',
    );
  });
});

// The runner hands `canvos-version: 4.10` (unquoted) over as "4.1" (FACTS: 15 significant digits).
describe('yamlNumberHint on the real tag list', () => {
  it('4.1 is a real release line: a hint, not a refusal, when v4.10.* exists', () => {
    expect(resolveCanvosTag('4.1', TAGS, false)).toMatch(/^v4\.1\./);
    expect(yamlNumberHint('4.1', TAGS)).toBe(
      "canvos-version 4.1 picks the v4.1 line; if you meant 4.10, quote it ('4.10'): YAML reads an unquoted 4.10 as the number 4.1",
    );
  });

  it('no hint where no X.Y0 line exists, or for a value that is no YAML number', () => {
    expect(yamlNumberHint('4.9', TAGS)).toBeUndefined();
    expect(yamlNumberHint('4.10', TAGS)).toBeUndefined();
    expect(yamlNumberHint('~4.1', TAGS)).toBeUndefined();
  });
});

describe('nearestTags', () => {
  it('names the releases just below and above a tag that does not exist', () => {
    const tags = ['v4.4.12', 'v4.9.38', 'v4.9.40', 'v4.10.0', 'v4.10.1-rc.1', 'v4.8.a'];
    expect(nearestTags('v4.9.39', tags)).toEqual(['v4.9.38', 'v4.4.12', 'v4.9.40', 'v4.10.0']);
    expect(nearestTags('v4.9.99', tags)).toEqual(['v4.9.40', 'v4.9.38', 'v4.10.0']);
    expect(nearestTags('v9.0.0', tags)).toEqual(['v4.10.0', 'v4.9.40']);
  });

  it('works on the real tag list', () => {
    expect(nearestTags('v4.9.999', TAGS)).toEqual(['v4.9.38', 'v4.9.37', 'v4.10.0']);
  });
});
