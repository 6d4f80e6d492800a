import semver from 'semver';
import { InputError } from '../errors.js';

/** Tag names from `git ls-remote --tags` output; annotated tags appear twice (`X` and `X^{}`). */
export function parseLsRemoteTags(output: string): string[] {
  const tags = new Set<string>();
  for (const line of output.split('\n')) {
    const ref = line.split('\t')[1]?.trim();
    if (!ref?.startsWith('refs/tags/')) continue;
    tags.add(ref.slice('refs/tags/'.length).replace(/\^\{\}$/, ''));
  }
  return [...tags];
}

/** An exact tag needs no listing: `4.9.38` and `v4.9.38` both name the tag `v4.9.38`. */
export function exactTag(spec: string): string | undefined {
  if (spec === 'latest' || !/^v?\d/.test(spec)) return undefined;
  const version = semver.valid(spec.replace(/^v/, ''));
  if (!version) return undefined;
  return spec.startsWith('v') ? spec : `v${spec}`;
}

/** Picks the tag a spec means, by semver precedence; non-semver tags are never releases. */
export function resolveCanvosTag(spec: string, tags: string[], prerelease: boolean): string {
  const exact = exactTag(spec);
  if (exact) return exact;
  const releases = new Map<string, string>(); // version -> tag
  for (const tag of tags) {
    if (!/^v\d/.test(tag)) continue;
    const version = semver.valid(tag.slice(1));
    if (version && (prerelease || semver.prerelease(version) === null)) releases.set(version, tag);
  }
  const versions = [...releases.keys()];
  const picked =
    spec === 'latest'
      ? versions.sort(semver.rcompare)[0]
      : (semver.maxSatisfying(versions, spec, { includePrerelease: prerelease }) ?? undefined);
  if (!picked) {
    const newest = versions
      .sort(semver.rcompare)
      .slice(0, 5)
      .map((v) => releases.get(v));
    const known = newest.length ? `; newest tags: ${newest.join(', ')}` : '';
    const hint = prerelease ? '' : ' (pre-releases need canvos-prerelease: true)';
    throw new InputError(
      'canvos-version',
      `no CanvOS tag matches ${JSON.stringify(spec)}${hint}${known}`,
    );
  }
  return releases.get(picked)!;
}

/**
 * The runner turns an unquoted YAML `4.10` into the number 4.1, then the string "4.1". A real
 * release line, so not refused; but when `vX.Y0.*` tags exist too, the workflow likely meant those.
 */
export function yamlNumberHint(spec: string, tags: string[]): string | undefined {
  const match = /^v?(\d+)\.(\d)$/.exec(spec);
  if (!match) return undefined;
  const meant = `${match[1]}.${match[2]}0`;
  if (!tags.some((tag) => tag.startsWith(`v${meant}.`))) return undefined;
  return `canvos-version ${spec} picks the v${match[1]}.${match[2]} line; if you meant ${meant}, quote it ('${meant}'): YAML reads an unquoted ${meant} as the number ${match[1]}.${match[2]}`;
}

/** The release tags nearest to `tag` by semver precedence: two below and two above it. */
export function nearestTags(tag: string, tags: string[]): string[] {
  const target = semver.valid(tag.replace(/^v/, ''));
  const releases = tags
    .filter((t) => /^v\d/.test(t) && semver.valid(t.slice(1)) && !semver.prerelease(t.slice(1)))
    .sort((a, b) => semver.compare(a.slice(1), b.slice(1)));
  if (!target) return releases.slice(-4).reverse();
  const above = releases.findIndex((t) => semver.gt(t.slice(1), target));
  const at = above < 0 ? releases.length : above;
  return [...releases.slice(Math.max(0, at - 2), at).reverse(), ...releases.slice(at, at + 2)];
}
