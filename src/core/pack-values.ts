/**
 * The values of Palette's Edge Native BYOI OS pack (`edge-native-byoi`) for the images built, in
 * the shape CanvOS's `earthly.sh` prints them (`print_os_pack`) — with two of its mistakes fixed:
 * `system.peVersion` is the PE_VERSION the images carry (earthly.sh uses `git describe`, which is
 * the tag), and the `system.uri` template has no `-{{ customTag }}` when there is no custom tag
 * (earthly.sh always appends it, leaving a trailing `-` that names no image).
 */
import type { ImageNaming } from './plan.js';

export const PACK_NAME = 'edge-native-byoi';

const option = (name: string) => `{{ .spectro.pack.${PACK_NAME}.options.system.${name} }}`;
/** Palette fills this with the version of the profile's Kubernetes layer. */
export const K8S_VERSION_VARIABLE = '{{ .spectro.system.kubernetes.version }}';

/** The image ref Palette builds from the options, as a Go template over the pack's values. */
export function systemUriTemplate(naming: ImageNaming): string {
  const tag = [option('k8sDistribution'), K8S_VERSION_VARIABLE, option('peVersion')];
  if (naming.customTag) tag.push(option('customTag'));
  return `${option('registry')}/${option('repo')}:${tag.join('-')}`;
}

/** The `system.*` options, in print_os_pack's order. */
export function systemOptions(naming: ImageNaming): Array<[string, string]> {
  return [
    ['system.uri', systemUriTemplate(naming)],
    ['system.registry', naming.registry],
    ['system.repo', naming.repo],
    ['system.k8sDistribution', naming.k8sDistribution],
    ['system.osName', naming.os],
    ['system.peVersion', naming.peVersion],
    ['system.customTag', naming.customTag],
    ['system.osVersion', naming.osVersion],
  ];
}

/**
 * The pack values as YAML. Every value is double-quoted (a JSON string is a valid YAML
 * double-quoted scalar), so `22.04` stays a string and an empty custom tag stays `""`.
 */
export function packValuesYaml(naming: ImageNaming): string {
  return [
    `# Palette cluster profile, OS layer: the ${PACK_NAME} pack's values`,
    'pack:',
    '  content:',
    '    images:',
    `      - image: ${JSON.stringify(`{{.spectro.pack.${PACK_NAME}.options.system.uri}}`)}`,
    'options:',
    ...systemOptions(naming).map(([key, value]) => `  ${key}: ${JSON.stringify(value)}`),
    '',
  ].join('\n');
}
