// The cases the reliability suite feeds the action: a bad-input corpus (hand-written cases plus
// generated ones: each boolean input × non-booleans, each choice input × values outside its
// choices, every key and flag that has its own input, every reserved secret name, every single-line
// input × a line break, list inputs with one bad item) and the injection payloads with the inputs
// they are tried in.
import { fileURLToPath } from 'node:url';

export interface BadInputCase {
  /** Unique, readable: `<input>: <value>`. */
  id: string;
  /** The input the one error line must start with (`<input>: `). */
  input: string;
  /** Inputs that differ from the valid base. */
  inputs: Record<string, string>;
  /** The rule the message must state. */
  rule: RegExp;
  /** Extra environment for the step (e.g. another RUNNER_ARCH). */
  env?: Record<string, string>;
}

/** A file holding a real PEM certificate, for lists that mix good and bad items. */
const FIXTURE_PEM = fileURLToPath(new URL('../fixtures/proxy-ca-certs.pem', import.meta.url));

function show(value: string): string {
  return value.length > 48
    ? `${JSON.stringify(value.slice(0, 40))}... (${value.length} characters)`
    : JSON.stringify(value);
}

function cases(input: string, rule: RegExp, values: string[]): BadInputCase[] {
  return values.map((value) => ({
    id: `${input}: ${show(value)}`,
    input,
    inputs: { [input]: value },
    rule,
  }));
}

const NOT_BOOLEAN = /is not a boolean: use true or false$/;
const NOT_ONE_OF = /is not one of /;
const SINGLE_LINE = /must be a single line$/;

export const BOOLEAN_INPUTS = [
  'canvos-prerelease',
  'two-node',
  'update-kernel',
  'push',
  'skip-existing',
  'dry-run',
];
export const NOT_BOOLEANS = ['yes', '1', 'on', 'tRuE', 'falsy', 'true,false'];

/** Choice inputs and values outside their choices (case matters; no lists; no aliases). */
export const CHOICE_INPUTS: Record<string, string[]> = {
  'os-distribution': ['Ubuntu', 'debian', 'centos', 'ubuntu,rhel', 'ubuntu-22.04'],
  'k8s-distribution': ['K3S', 'k3d', 'kubeadm_fips', 'k3s,rke2', 'eks'],
  arch: ['riscv64', 'x86_64', 'AMD64', 'amd64,arm64', 'aarch64', 'x64'],
  'earthly-distribution': ['earth', 'Earthly', 'earthly-fork', 'docker'],
  'disk-check': ['fail', 'WARN', 'on', 'true', 'ignore'],
};

/** build-args keys that have their own input (setting them twice would make the plan lie). */
export const KEYS_WITH_INPUTS = [
  'IMAGE_REGISTRY',
  'IMAGE_REPO',
  'CUSTOM_TAG',
  'OS_DISTRIBUTION',
  'OS_VERSION',
  'K8S_DISTRIBUTION',
  'K8S_VERSION',
  'ARCH',
  'TWO_NODE',
  'UPDATE_KERNEL',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'PROXY_CERT_PATH',
  'UBUNTU_PRO_KEY',
];

/** Earthly flags the action owns: earthly-args must not set them. */
export const OWNED_FLAGS = [
  '--push',
  '--ci',
  '--output',
  '--no-output',
  '--config',
  '--buildkit-image',
  '--buildkit-host',
  '--remote-cache',
  '--secret',
  '-s',
  '--secret-file',
  '-P',
  '--allow-privileged',
  '--build-arg',
  '--arg-file-path',
  '--platform',
  '-i',
  '--interactive',
  '-a',
  '--artifact',
  '--image',
];

/**
 * Secret names that would replace the environment Earthly, Docker or the runner rely on, or change
 * how a program on the host starts (the loader, shells, Node, git).
 */
export const RESERVED_SECRET_NAMES = [
  'LD_PRELOAD',
  'LD_LIBRARY_PATH',
  'BASH_ENV',
  'ENV',
  'NODE_OPTIONS',
  'GIT_CONFIG_COUNT',
  'GIT_CONFIG_PARAMETERS',
  'GIT_SSH_COMMAND',
  'PATH',
  'HOME',
  'TMPDIR',
  'DOCKER_CONFIG',
  'EARTHLY_TOKEN',
  'EARTH_BUILDKIT_HOST',
  'BUILDKIT_HOST',
  'GITHUB_TOKEN',
  'RUNNER_TEMP',
  'INPUT_PUSH',
  'STATE_ISPOST',
  'ACTIONS_RUNTIME_TOKEN',
];

/** Single-line inputs and an otherwise valid value to break with a line feed / carriage return. */
const SINGLE_LINE_INPUTS: Record<string, [string, string]> = {
  'canvos-version': ['v4.9.38', 'v4.9.40'],
  'canvos-repository': ['https://github.com/spectrocloud/CanvOS.git', 'x'],
  'image-registry': ['ghcr.io/acme', 'evil.example.com'],
  'image-repo': ['ubuntu', 'evil'],
  'custom-tag': ['demo', 'EVIL=1'],
  'http-proxy': ['http://proxy.example.com:3128', 'x'],
  'https-proxy': ['http://proxy.example.com:3128', 'x'],
  'no-proxy': ['localhost', 'evil'],
  'earthly-download-url': ['https://mirror.example.com/{version}/{asset}', 'x'],
  'buildkit-image': ['ghcr.io/acme/buildkitd:v0.8.15', 'x'],
  'buildkit-host': ['tcp://buildkit.example.com:8372', 'x'],
  'remote-cache': ['ghcr.io/acme/cache:k3s', 'x'],
  'registry-username': ['harness', '--password=x'],
  // registry-password may be several lines (a GAR `_json_key`): docker login reads it on stdin.
};

function generated(): BadInputCase[] {
  const out: BadInputCase[] = [];
  for (const input of BOOLEAN_INPUTS) out.push(...cases(input, NOT_BOOLEAN, NOT_BOOLEANS));
  for (const [input, values] of Object.entries(CHOICE_INPUTS))
    out.push(...cases(input, NOT_ONE_OF, values));
  for (const key of KEYS_WITH_INPUTS) {
    out.push(
      ...cases('build-args', new RegExp(`^${key} has its own input: use [a-z0-9-]+$`), [
        `${key}=x`,
      ]),
    );
  }
  for (const name of RESERVED_SECRET_NAMES) {
    out.push(
      ...cases('secrets', new RegExp(`^${name} is a reserved environment variable name$`), [
        `${name}=x`,
      ]),
    );
  }
  for (const flag of OWNED_FLAGS)
    out.push(...cases('earthly-args', new RegExp(`^${flag} is set by `), [flag]));
  for (const [input, [before, after]] of Object.entries(SINGLE_LINE_INPUTS)) {
    const values = [`${before}\n${after}`];
    // A lone carriage return too, where a value reaches a command line or a file line by line.
    if (['image-registry', 'custom-tag', 'registry-username'].includes(input)) {
      values.push(`${before}\r${after}`);
    }
    out.push(...cases(input, SINGLE_LINE, values));
  }
  return out;
}

function handWritten(): BadInputCase[] {
  const notRegistryPath =
    /is not a valid repository path: lowercase letters, digits and \. _ - between them$/;
  const notImage = /is not an image reference such as ghcr\.io\/org\/name:tag$/;
  return [
    ...cases('image-registry', /^is required/, ['']),
    ...cases('image-registry', /must not have a scheme: write ghcr\.io\/acme$/, [
      'https://ghcr.io/acme',
      'oci://ghcr.io/acme',
      'docker://ghcr.io/acme',
    ]),
    ...cases('image-registry', /must not end with \/$/, ['ghcr.io/acme/', 'ghcr.io/']),
    ...cases('image-registry', /must not contain an underscore \(DNS rules\)$/, [
      'my_registry.local/acme',
    ]),
    ...cases('image-registry', /has an invalid port$/, [
      'ghcr.io:99999/acme',
      'ghcr.io:http/acme',
      'ghcr.io:5000:1/acme',
    ]),
    ...cases('image-registry', /is not a valid hostname$/, [
      'ghcr..io/acme',
      '-ghcr.io/acme',
      'ghcr.io-/acme',
      'ghcr io/acme',
    ]),
    ...cases('image-registry', /does not start with a registry host/, ['acme', 'acme/edge']),
    // An uppercase path is lowercased with a notice (a mixed-case owner), not refused.
    ...cases('image-registry', notRegistryPath, [
      'ghcr.io/Acme/-edge',
      'ghcr.io/acme//edge',
      'ghcr.io/acme:latest',
      'ghcr.io/ac me',
      'ghcr.io/$(touch x)',
    ]),

    ...cases('image-repo', notRegistryPath, [
      'Ubuntu/',
      'ubuntu/',
      'ub untu',
      'ubuntu:22.04',
      'ubuntu@sha256:abc',
      '-ubuntu',
    ]),

    ...cases('custom-tag', /is a git ref: pass the short name/, [
      'refs/tags/v1.0.0',
      'refs/heads/main',
    ]),
    ...cases('custom-tag', /has a \/, which a Docker tag cannot hold/, ['feature/login']),
    ...cases('custom-tag', /has a \+ \(semver build metadata\)/, ['v1.0.0+build.5']),
    ...cases('custom-tag', /may only hold letters, digits, _ \. - \(e\.g\. [A-Za-z0-9_.-]+\)$/, [
      'has space',
      'tag:1',
      'ümlaut',
      '$(touch x)',
      '`id`',
    ]),
    ...cases('custom-tag', /is longer than 100 characters/, ['x'.repeat(101)]),

    ...cases('os-version', /is not a version such as 22\.04$/, [
      'jammy',
      'v22.04',
      '22,04',
      '22.04\n24.04',
    ]),
    ...cases('os-version', /is not an Ubuntu version CanvOS builds: 20\.04, 22\.04 or 24\.04$/, [
      '22',
      '18.04',
      '22.04.1',
    ]),
    ...cases('os-distribution', /needs a BASE_IMAGE=<image> line in build-args$/, ['rhel', 'sles']),
    {
      id: 'os-distribution: "rhel" with an empty BASE_IMAGE',
      input: 'os-distribution',
      inputs: { 'os-distribution': 'rhel', 'build-args': 'BASE_IMAGE=' },
      rule: /needs a BASE_IMAGE/,
    },

    ...cases('k8s-version', /^is required/, ['', '   ', ',', '\n,\n']),
    ...cases('k8s-version', /write plain x\.y\.z; CanvOS adds the \+flavour suffix itself$/, [
      '1.32.3+k3s1',
      '1.31.4+rke2r1',
    ]),
    ...cases('k8s-version', /is not a version: use x\.y\.z, x\.y, latest or all$/, [
      'v1.32.3',
      '1',
      '1.32.3.4',
      '>=1.30',
      '1.32 1.31',
      '$(touch x)',
    ]),
    ...cases('k8s-version', /cannot be combined with other versions$/, [
      'latest,1.32',
      'all\nlatest',
    ]),

    ...cases('canvos-version', /is not a tag, a semver range or latest/, [
      'four',
      'LATEST',
      'refs/tags/v4.9.38',
      'archive/v3.0.0',
      'v4.8.a',
      '$(touch x)',
      '--upload-pack=touch',
    ]),

    ...cases('canvos-repository', /is not a git URL or owner\/name$/, [
      'git@github.com:spectrocloud/CanvOS.git',
      '-u/evil',
      'spectrocloud',
      'a/b/c',
    ]),
    ...cases(
      'canvos-repository',
      /^scheme [a-z]+: is not supported: use https, http, ssh or file$/,
      ['ftp://example.com/CanvOS.git', 'ext::sh -c touch% /tmp/x', 'javascript:alert(1)'],
    ),
    ...cases('canvos-repository', /must not contain credentials: use github-token$/, [
      'https://bot:tok@github.com/a/b.git',
    ]),

    ...cases('canvos-path', /is not a directory$/, ['no-such-dir']),
    ...cases('canvos-path', /is outside the workspace and RUNNER_TEMP$/, [
      '/etc',
      '/dev/null',
      '..',
    ]),

    ...['http-proxy', 'https-proxy'].flatMap((input) => [
      ...cases(input, /is not a URL such as http:\/\/proxy\.example\.com:3128$/, [
        'proxy.example.com:3128',
        'http://',
      ]),
      ...cases(input, /^scheme [a-z0-9]+: is not supported: use http, https or socks5$/, [
        'ftp://proxy:21',
        'socks4://proxy:1080',
      ]),
      ...cases(input, /must not contain spaces, quotes, \$ or \\$/, [
        'http://proxy.example.com:3128/ x',
        'http://$HOST:3128',
        'http://user:pa ss@proxy:3128',
      ]),
    ]),

    ...cases('no-proxy', /must be a comma-separated list of hosts, domains or CIDRs$/, [
      'a b',
      'a;b',
      '$(touch x)',
      '.example.com,10.0.0.0/8 ,x',
      'a=b',
    ]),

    ...cases('proxy-ca-certs', /cannot read file /, ['no-such-file.pem', 'not a cert']),
    ...cases('proxy-ca-certs', /is outside the workspace and RUNNER_TEMP$/, [
      '/etc',
      '/etc/hostname',
      '../event.json',
    ]),
    ...cases('proxy-ca-certs', /holds no PEM certificate/, ['-----BEGIN CERTIFICATE-----\nabc']),
    ...cases('signing-public-key', /cannot read file /, ['missing.pem']),
    ...cases('signing-public-key', /is outside the workspace and RUNNER_TEMP$/, ['/etc/hostname']),
    ...cases('signing-public-key', /^holds a private key: give the public key only$/, [
      '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----',
      '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----',
    ]),
    ...cases('signing-public-key', /^must hold exactly one PEM public key$/, [
      '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----',
    ]),
    ...cases('signing-public-key', /is not a PEM public key/, [
      '-----BEGIN PUBLIC KEY-----\nabc',
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----',
    ]),

    ...cases('build-args', /is not KEY=VALUE$/, ['NOEQUALS']),
    ...cases('build-args', /must be an upper-case identifier \(A-Z, 0-9, _\)$/, [
      'lower=1',
      '1KEY=x',
      'KEY WITH SPACE=1',
      'A-B=1',
      '=x',
      '$(touch x)=1',
    ]),
    ...cases('build-args', /is given twice$/, ['A=1\nA=2']),
    ...cases('build-args', /the value must not contain ' or control characters$/, [
      "A=it's",
      'A=\x01',
      'A=x\x1by',
      'A=a\rb',
    ]),
    ...cases('build-args', /the value must not end with \\$/, ['A=x\\']),

    ...cases('secrets', /is not KEY=VALUE$/, ['NOEQUALS']),
    ...cases('secrets', /must be an upper-case identifier/, ['lower=x', 'A B=x']),
    ...cases('secrets', /has an empty value$/, ['EMPTY=']),
    ...cases('secrets', /is given twice$/, ['A=1\nA=2']),

    ...cases('earthly-version', /is not auto or a version such as v0\.8\.15$/, [
      'latest',
      '0.8',
      'v0.8.15.1',
      'v0.8.15;rm',
      'AUTO',
    ]),
    ...cases('earthly-download-url', /must be an http\(s\) URL$/, [
      'ftp://x.example.com/{asset}',
      'github.com/{version}/{asset}',
    ]),
    ...cases('earthly-download-url', /must contain \{asset\}/, [
      'https://x.example.com/no-placeholder',
    ]),
    ...cases('earthly-download-url', /^must not contain credentials/, [
      'https://user:pass@mirror.example.com/{version}/{asset}',
      'https://token@mirror.example.com/{asset}',
    ]),
    ...cases('earthly-download-url', /is not a valid URL$/, [
      'https://[bad/{asset}',
      'https://ex ample.com/{asset}',
    ]),
    ...cases('earthly-sha256', /must be 64 hexadecimal characters$/, [
      'abc',
      'g'.repeat(64),
      `sha256:${'a'.repeat(64)}`,
      'a'.repeat(63),
      'a'.repeat(65),
    ]),

    ...cases('earthly-args', /is set by /, [
      '--push=true',
      '--secret=X',
      '--build-arg=A=1',
      '--platform=linux/arm64',
    ]),
    ...cases('earthly-args', /looks like a target: only flags go here$/, [
      '+build-provider-images',
      '--verbose +x',
    ]),
    ...cases('earthly-args', /could name a target: only flags go here$/, ['--verbose x+y']),
    ...cases('earthly-args', /is not a flag$/, ['-', '--', '---x']),
    ...cases('earthly-config', /^allows printable ASCII only/, [
      'tlsca: /ca.pem\u0085disable_analytics: false',
      'tlsca: a\u2028b: c',
      'tlsca: a\tb',
    ]),
    ...cases('earthly-config', /is not one YAML value on its line/, [
      "tlsca: '",
      'tlsca: [a',
      'tlsca: a: b',
      'tlsca: &anchor x',
    ]),
    ...cases('earthly-args', /is not a flag or a flag's value$/, [
      'build',
      '--ok=1 stray',
      '--a b c',
    ]),

    ...['buildkit-image', 'remote-cache'].flatMap((input) =>
      cases(input, notImage, [
        'ghcr.io/Org/buildkitd',
        'ghcr.io/org/buildkitd:v1:v2',
        'ghcr.io/org/x@sha256:abc',
        '$(touch x)',
      ]),
    ),
    ...cases(
      'buildkit-host',
      /is not a BuildKit address Earthly accepts: tcp:\/\/host:port, docker-container:\/\/name or podman-container:\/\/name$/,
      [
        'host:8372',
        'http://host:8372',
        'tcp://',
        'tcp://a b',
        'tcp://host',
        'unix:///run/buildkit/buildkitd.sock',
        '--buildkit-host=tcp://x',
      ],
    ),

    // List inputs: one bad item among good ones is enough.
    ...cases('k8s-version', /is not a version: use x\.y\.z, x\.y, latest or all$/, [
      '1.32.3,1.31.x',
    ]),
    ...cases('k8s-version', /write plain x\.y\.z/, ['1.32.3\n1.31.4+k3s1']),
    ...cases('k8s-version', /all cannot be combined with other versions$/, ['1.32.3, all']),
    ...cases('build-args', /must be an upper-case identifier/, ['A=1\nlower=2']),
    ...cases('build-args', /^A is given twice$/, ['A=1\nB=ok\nA=3']),
    ...cases('secrets', /^line 2 is not KEY=VALUE$/, ['A=1\nNOEQUALS']),
    ...cases('secrets', /^PATH is a reserved environment variable name$/, ['A=1\nPATH=x']),
    ...cases('proxy-ca-certs', /cannot read file "missing\.pem"$/, [`missing.pem\n${FIXTURE_PEM}`]),
    ...cases('earthly-args', /^--push is set by push$/, ['--verbose --push']),

    {
      id: 'registry-username: empty while registry-password is set',
      input: 'registry-username',
      inputs: { 'registry-username': '', 'registry-password': 'x' },
      rule: /^is required when registry-password is set$/,
    },
    {
      id: 'registry-password: empty while registry-username is set',
      input: 'registry-password',
      inputs: { 'registry-username': 'someone', 'registry-password': '' },
      rule: /^is required when registry-username is set$/,
    },
    ...['X86', 'ARM'].map((runnerArch) => ({
      id: `arch: empty on a ${runnerArch} runner`,
      input: 'arch',
      inputs: { arch: '' },
      env: { RUNNER_ARCH: runnerArch },
      rule: new RegExp(`^the runner is ${runnerArch}; set arch to amd64 or arm64$`),
    })),
  ];
}

/** The whole corpus; ids are unique. */
export function badInputCorpus(): BadInputCase[] {
  const all = [...handWritten(), ...generated()];
  const seen = new Set<string>();
  for (const c of all) {
    if (seen.has(c.id)) throw new Error(`duplicate corpus id ${c.id}`);
    seen.add(c.id);
  }
  return all;
}

// ---------------------------------------------------------------------------------------------
// Injection
// ---------------------------------------------------------------------------------------------

/**
 * Payloads: `{M}` becomes an absolute marker path, `{R}` a bare marker file name (created in
 * whatever directory a shell would run in). A marker that appears anywhere means a shell ran it.
 */
export const INJECTION_PAYLOADS: Record<string, string> = {
  'command substitution': '$(touch {M})',
  backticks: '`touch {M}`',
  'semicolon, pipe': 'x;touch {M}|touch {M}',
  'no-space substitution': '$(touch${IFS}{R})',
  'newline + new key': 'x\nINJECTED_KEY=1',
  'carriage return + new key': 'x\rINJECTED_KEY=1',
  '--push': '--push',
  '-P': '-P',
  '--config=/x': '--config=/x',
  'quote break': "x' ; touch {M} ; '",
  'comment + new key': 'x #INJECTED_KEY=1',
};

export interface InjectionContext {
  registryHost: string;
  gitUrl: string;
}

/** Where a payload goes: the input, and how the payload is embedded in an otherwise valid value. */
export interface InjectionSlot {
  name: string;
  input: string;
  value(payload: string, ctx: InjectionContext): string;
}

export const INJECTION_SLOTS: InjectionSlot[] = [
  { name: 'custom-tag', input: 'custom-tag', value: (p) => p },
  { name: 'build-args value', input: 'build-args', value: (p) => `FOO=${p}` },
  { name: 'build-args key (= in key)', input: 'build-args', value: (p) => `${p}=x` },
  { name: 'secrets value', input: 'secrets', value: (p) => `MY_SECRET=${p}` },
  { name: 'secrets key (= in key)', input: 'secrets', value: (p) => `${p}=x` },
  { name: 'no-proxy', input: 'no-proxy', value: (p) => `localhost,${p}` },
  {
    name: 'http-proxy path',
    input: 'http-proxy',
    value: (p) => `http://proxy.example.com:3128/${p}`,
  },
  {
    name: 'https-proxy password',
    input: 'https-proxy',
    value: (p) => `http://user:${p}@proxy.example.com:3128`,
  },
  {
    name: 'image-registry path',
    input: 'image-registry',
    value: (p, c) => `${c.registryHost}/${p}`,
  },
  { name: 'image-repo', input: 'image-repo', value: (p) => p },
  { name: 'k8s-version', input: 'k8s-version', value: (p) => p },
  { name: 'canvos-version', input: 'canvos-version', value: (p) => p },
  { name: 'earthly-args', input: 'earthly-args', value: (p) => `--verbose ${p}` },
  { name: 'buildkit-host', input: 'buildkit-host', value: (p) => `tcp://127.0.0.1:8372/${p}` },
  {
    name: 'buildkit-image tag',
    input: 'buildkit-image',
    value: (p) => `ghcr.io/acme/buildkitd:${p}`,
  },
  {
    name: 'remote-cache',
    input: 'remote-cache',
    value: (p, c) => `${c.registryHost}/edge/cache:${p}`,
  },
  { name: 'registry-username', input: 'registry-username', value: (p) => p },
  { name: 'github-token', input: 'github-token', value: (p) => p },
];
