import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';
import type { K8sVersionRequest } from '../../../src/core/inputs/types.js';
import { newestPatches, selectK8sVersions } from '../../../src/core/k8s.js';
import { inputError } from '../support.js';

type Lists = Record<string, string[]>;
const lists = (tag: string): Lists =>
  JSON.parse(
    readFileSync(new URL(`../../fixtures/k8s_version.${tag}.json`, import.meta.url), 'utf8'),
  ) as Lists;

const V4_4_12 = lists('v4.4.12');
const V4_9_38 = lists('v4.9.38');
const V4_10_RC = lists('v4.10.0-rc.10');
const AT_V4_9_38 = { distribution: 'k3s', tag: 'v4.9.38' };

describe('selectK8sVersions with the real lists', () => {
  it('an exact version', () => {
    expect(selectK8sVersions({ kind: 'list', items: ['1.32.3'] }, V4_9_38.k3s, AT_V4_9_38)).toEqual(
      ['1.32.3'],
    );
  });

  it('a list with a duplicate, in any order, gives each version once, ascending', () => {
    expect(
      selectK8sVersions(
        { kind: 'list', items: ['1.33.10', '1.32.3', '1.33', '1.32.3'] },
        V4_9_38.k3s,
        AT_V4_9_38,
      ),
    ).toEqual(['1.32.3', '1.33.10']);
  });

  it('a minor means its newest patch (numerically: 1.32.13 > 1.32.9)', () => {
    expect(selectK8sVersions({ kind: 'list', items: ['1.32'] }, V4_9_38.k3s, AT_V4_9_38)).toEqual([
      '1.32.13',
    ]);
    expect(
      selectK8sVersions({ kind: 'list', items: ['1.35', '1.28'] }, V4_10_RC.kubeadm, AT_V4_9_38),
    ).toEqual(['1.28.15', '1.35.6']);
  });

  it('latest is the newest version', () => {
    expect(selectK8sVersions({ kind: 'latest' }, V4_9_38.k3s, AT_V4_9_38)).toEqual(['1.35.3']);
    expect(selectK8sVersions({ kind: 'latest' }, V4_10_RC.kubeadm, AT_V4_9_38)).toEqual(['1.35.6']);
    expect(selectK8sVersions({ kind: 'latest' }, V4_4_12.rke2, AT_V4_9_38)).toEqual(['1.30.3']);
    // Order of the input does not matter.
    expect(
      selectK8sVersions({ kind: 'latest' }, ['1.30.10', '1.30.9', '1.29.14'], AT_V4_9_38),
    ).toEqual(['1.30.10']);
  });

  it('all is every listed version, ascending by semver', () => {
    const shuffled = [...V4_9_38.canonical].reverse();
    const all = selectK8sVersions({ kind: 'all' }, shuffled, AT_V4_9_38);
    expect(all).toEqual(V4_9_38.canonical);
    expect(all).toEqual([...shuffled].sort(semver.compare));
    expect(selectK8sVersions({ kind: 'all' }, V4_9_38.k3s, AT_V4_9_38).length).toBe(57);
  });

  it('an unknown version is an error listing the available versions', () => {
    const error = inputError(() =>
      selectK8sVersions({ kind: 'list', items: ['1.32.3', '1.32.5'] }, V4_9_38.nodeadm, {
        distribution: 'nodeadm',
        tag: 'v4.9.38',
      }),
    );
    expect(error.input).toBe('k8s-version');
    expect(error.rule).toBe(
      '1.32.3 is not listed for nodeadm at CanvOS v4.9.38; listed: 1.29.0, 1.30.0, 1.31.0, 1.32.0',
    );
  });

  it('an unknown version lists every available version', () => {
    const error = inputError(() =>
      selectK8sVersions({ kind: 'list', items: ['1.32.5'] }, V4_9_38.k3s, AT_V4_9_38),
    );
    expect(error.rule).toBe(
      `1.32.5 is not listed for k3s at CanvOS v4.9.38; listed: ${V4_9_38.k3s.join(', ')}`,
    );
  });

  it('an unknown minor is an error listing the minors', () => {
    const error = inputError(() =>
      selectK8sVersions({ kind: 'list', items: ['1.36'] }, V4_9_38.k3s, AT_V4_9_38),
    );
    expect(error.input).toBe('k8s-version');
    expect(error.rule).toBe(
      '1.36 is not listed for k3s at CanvOS v4.9.38; listed: 1.26, 1.27, 1.28, 1.29, 1.30, 1.31, 1.32, 1.33, 1.34, 1.35',
    );
  });

  it('a distribution the tag does not list (nodeadm at v4.4.12) is an error on k8s-distribution', () => {
    const requests: K8sVersionRequest[] = [
      { kind: 'all' },
      { kind: 'latest' },
      { kind: 'list', items: ['1.30'] },
    ];
    for (const request of requests) {
      const error = inputError(() =>
        selectK8sVersions(request, V4_4_12.nodeadm ?? [], {
          distribution: 'nodeadm',
          tag: 'v4.4.12',
        }),
      );
      expect(error.message).toBe(
        'k8s-distribution: CanvOS v4.4.12 lists no Kubernetes versions for nodeadm in k8s_version.json',
      );
    }
  });
});

describe('newestPatches', () => {
  it('gives the newest patch of each minor, ascending', () => {
    expect(newestPatches(V4_9_38.k3s)).toEqual([
      '1.26.14',
      '1.27.15',
      '1.28.15',
      '1.29.14',
      '1.30.14',
      '1.31.14',
      '1.32.13',
      '1.33.10',
      '1.34.6',
      '1.35.3',
    ]);
    expect(newestPatches(V4_4_12.k3s)).toEqual([
      '1.24.6',
      '1.25.2',
      '1.26.14',
      '1.27.15',
      '1.28.13',
      '1.29.8',
      '1.30.4',
    ]);
  });

  it('agrees with an independent computation on every real list', () => {
    for (const data of [V4_4_12, V4_9_38, V4_10_RC]) {
      for (const available of Object.values(data)) {
        const byMinor = new Map<string, string>();
        for (const v of available) {
          const minor = `${semver.major(v)}.${semver.minor(v)}`;
          const seen = byMinor.get(minor);
          if (!seen || semver.gt(v, seen)) byMinor.set(minor, v);
        }
        const expected = [...byMinor.values()].sort(semver.compare);
        expect(newestPatches([...available].reverse())).toEqual(expected);
      }
    }
  });

  it('is empty for an empty list', () => {
    expect(newestPatches([])).toEqual([]);
  });
});

// The runner hands `k8s-version: 1.30` (unquoted) over as "1.3" (FACTS: 15 significant digits).
describe('selectK8sVersions and YAML numbers', () => {
  it('1.3 where 1.30 is listed: one error that says to quote it', () => {
    const where = { distribution: 'k3s', tag: 'v4.9.38' };
    const request: K8sVersionRequest = { kind: 'list', items: ['1.3'] };
    expect(() => selectK8sVersions(request, ['1.29.2', '1.30.4', '1.30.5'], where)).toThrow(
      "k8s-version: 1.3 is not listed for k3s at CanvOS v4.9.38, but 1.30 is: YAML reads an unquoted 1.30 as the number 1.3; quote it ('1.30')",
    );
  });
});
