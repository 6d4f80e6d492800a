// The Edge Native BYOI pack values, checked against CanvOS's own `print_os_pack` in earthly.sh
// (spectrocloud/CanvOS, earthly.sh at v4.10.0, commit 21123f71; the function is the same at
// v4.4.12 and on main). The fixture earthly.sh.v4.10.0.print_os_pack.txt is that function verbatim.
import { describe, expect, it } from 'vitest';
import { parse, parseDocument, stringify } from 'yaml';
import {
  K8S_VERSION_VARIABLE,
  PACK_NAME,
  packValuesYaml,
  systemUriTemplate,
} from '../../../src/core/pack-values.js';
import type { Plan } from '../../../src/core/plan.js';
import { imageResults, outputs } from '../../../src/core/report.js';
import { checkoutV4_10, checkoutV4_4_12, fixture, inputs, makePlan } from '../support.js';

const PRINT_OS_PACK = fixture('earthly.sh.v4.10.0.print_os_pack.txt');

/** What print_os_pack prints: the image line, the uri template and the `system.*` keys in order. */
function upstream() {
  const image = /^\s*echo -e '\s+- image: (".*")'$/m.exec(PRINT_OS_PACK)![1];
  const uri = /^\s*echo -e '\s+system\.uri: (".*")'$/m.exec(PRINT_OS_PACK)![1];
  const keys = [...PRINT_OS_PACK.matchAll(/^\s*echo -e ['"]\s+(system\.[A-Za-z0-9]+):/gm)].map(
    (m) => m[1],
  );
  return { image: JSON.parse(image) as string, uri: JSON.parse(uri) as string, keys };
}

interface PackValues {
  pack: { content: { images: Array<{ image: string }> } };
  options: Record<string, string>;
}

function packValues(plan: Plan): PackValues {
  const text = outputs(plan, [])['pack-values'];
  const doc = parseDocument(text, { uniqueKeys: true });
  expect([...doc.errors, ...doc.warnings]).toEqual([]);
  return doc.toJS() as PackValues;
}

/** Palette's substitution: each `{{ .spectro.pack.<pack>.options.<key> }}` and the k8s version. */
function expandUri(values: PackValues, k8sVersion: string): string {
  return values.options['system.uri'].replace(/\{\{\s*(\.[^}]*?)\s*\}\}/g, (_all, path: string) => {
    if (path === '.spectro.system.kubernetes.version') return k8sVersion;
    const prefix = `.spectro.pack.${PACK_NAME}.options.`;
    expect(path.startsWith(prefix), path).toBe(true);
    const value = values.options[path.slice(prefix.length)];
    expect(value, path).toBeTypeOf('string');
    return value;
  });
}

const ALL_1_32 = { kind: 'list' as const, items: ['1.32.3', '1.32.13', '1.33.10'] };

describe('pack-values', () => {
  it('has print_os_pack’s content block and exactly its system.* options, in its order', () => {
    const values = packValues(makePlan(inputs(), checkoutV4_10()));
    const { image, uri, keys } = upstream();
    expect(values.pack).toEqual({ content: { images: [{ image }] } });
    expect(Object.keys(values.options)).toEqual(keys);
    expect(keys).toEqual([
      'system.uri',
      'system.registry',
      'system.repo',
      'system.k8sDistribution',
      'system.osName',
      'system.peVersion',
      'system.customTag',
      'system.osVersion',
    ]);
    // With a custom tag, the uri template is print_os_pack's, character for character.
    expect(values.options['system.uri']).toBe(uri);
  });

  it('v4.10.0: system.peVersion is the Earthfile’s v4.9.21, not the tag', () => {
    const plan = makePlan(inputs(), checkoutV4_10());
    expect(packValues(plan).options).toMatchObject({
      'system.registry': 'ghcr.io/acme',
      'system.repo': 'ubuntu',
      'system.k8sDistribution': 'k3s',
      'system.osName': 'ubuntu',
      'system.peVersion': 'v4.9.21',
      'system.customTag': 'demo',
      'system.osVersion': '22.04',
    });
  });

  it('v4.4.12, where PE_VERSION is the tag: system.peVersion v4.4.12', () => {
    const plan = makePlan(inputs({ k8sVersion: { kind: 'latest' } }), checkoutV4_4_12());
    expect(packValues(plan).options['system.peVersion']).toBe('v4.4.12');
  });

  it('a PE_VERSION in build-args wins, as in the image tags', () => {
    const plan = makePlan(inputs({ buildArgs: [['PE_VERSION', 'v4.9.99']] }), checkoutV4_10());
    expect(packValues(plan).options['system.peVersion']).toBe('v4.9.99');
    expect(expandUri(packValues(plan), '1.32.3')).toBe(plan.images[0].ref);
  });

  it('without a custom tag the uri template has no trailing -, and customTag is ""', () => {
    const plan = makePlan(inputs({ customTag: '' }), checkoutV4_10());
    const values = packValues(plan);
    expect(values.options['system.customTag']).toBe('');
    expect(values.options['system.uri']).toBe(
      upstream().uri.replace(/-\{\{[^}]*customTag }}"?$/, ''),
    );
    expect(values.options['system.uri']).not.toContain('customTag');
    expect(expandUri(values, '1.32.3')).toBe('ghcr.io/acme/ubuntu:k3s-1.32.3-v4.9.21');
  });

  it.each([
    ['with a custom tag', { customTag: 'demo' }],
    ['without a custom tag', { customTag: '' }],
    [
      'with image-repo and a registry port and path',
      { imageRegistry: 'localhost:5000/a/b', imageRepo: 'edge', customTag: 'x.1' },
    ],
  ])(
    '%s: the uri expanded with each built version is exactly the images output',
    (_name, overrides) => {
      const plan = makePlan(inputs({ ...overrides, k8sVersion: ALL_1_32 }), checkoutV4_10());
      const values = packValues(plan);
      const expanded = plan.k8sVersions.map((version) => expandUri(values, version));
      expect(expanded.join('\n')).toBe(outputs(plan, imageResults(plan, new Map())).images);
      expect(expanded).toHaveLength(3);
    },
  );

  it('is YAML that round-trips: every value a string, the same after stringify and parse', () => {
    for (const customTag of ['demo', '']) {
      const plan = makePlan(inputs({ customTag, osVersion: '24.04' }), checkoutV4_10());
      const values = packValues(plan);
      expect(parse(stringify(values))).toEqual(values);
      for (const value of Object.values(values.options)) expect(value).toBeTypeOf('string');
      expect(values.options['system.osVersion']).toBe('24.04');
    }
  });

  it('the uri template names Palette’s Kubernetes variable once', () => {
    const naming = makePlan(inputs(), checkoutV4_10()).naming;
    expect(systemUriTemplate(naming).split(K8S_VERSION_VARIABLE)).toHaveLength(2);
    expect(packValuesYaml(naming).endsWith('\n')).toBe(true);
  });
});
