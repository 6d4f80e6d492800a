import { describe, expect, it } from 'vitest';
import { parseArch, parseBuildArgs, parseK8sVersion } from '../../../../src/core/inputs/build.js';
import {
  CERT_1,
  CERT_2,
  PUBLIC_KEY,
  fakeContext,
  inputError,
  itRejects,
  parse,
} from '../../support.js';

describe('build inputs: valid', () => {
  it.each([
    ['X64', 'amd64'],
    ['ARM64', 'arm64'],
    [undefined, 'amd64'],
    ['', 'amd64'],
  ] as const)('RUNNER_ARCH %s gives arch %s', (runnerArch, arch) => {
    expect(parse({}, fakeContext({ runnerArch })).arch).toBe(arch);
    expect(parseArch('', runnerArch)).toBe(arch);
  });

  it('an explicit arch wins over the runner', () => {
    expect(parse({ arch: 'arm64' }, fakeContext({ runnerArch: 'X64' })).arch).toBe('arm64');
    expect(parseArch('amd64', 'ARM64')).toBe('amd64');
  });

  it('accepts PEM certificates inline, with CRLF line ends, without reading files', () => {
    const ctx = fakeContext();
    const crlf = `${CERT_1}\r\n${CERT_2}\r\n`.replace(/\n/g, '\r\n');
    expect(parse({ 'proxy-ca-certs': crlf }, ctx).proxyCaCerts).toEqual([CERT_1, CERT_2]);
    expect(ctx.reads).toEqual([]);
  });

  it('reads several certificate files, one path a line', () => {
    const ctx = fakeContext({
      files: { '/ws/a.pem': `${CERT_1}\n`, '/runner/temp/b.pem': CERT_2 },
    });
    expect(
      parse({ 'proxy-ca-certs': 'a.pem\n  /runner/temp/b.pem  \n' }, ctx).proxyCaCerts,
    ).toEqual([CERT_1, CERT_2]);
    expect(ctx.reads).toEqual(['/ws/a.pem', '/runner/temp/b.pem']);
  });

  it('accepts an inline PEM public key', () => {
    expect(parse({ 'signing-public-key': `\n${PUBLIC_KEY}\n` }).signingPublicKey).toBe(PUBLIC_KEY);
  });

  it('accepts rhel and sles with a BASE_IMAGE build arg', () => {
    const inputs = parse({
      'os-distribution': 'rhel',
      'os-version': '8.10',
      'build-args': 'BASE_IMAGE=registry.example.com/rhel:8.10',
    });
    expect([inputs.osDistribution, inputs.osVersion]).toEqual(['rhel', '8.10']);
    expect(
      parse({ 'os-distribution': 'sles', 'build-args': ' BASE_IMAGE=x/sles:15' }).osDistribution,
    ).toBe('sles');
  });

  it('keeps k8s-version keywords and de-duplicates lists', () => {
    expect(parseK8sVersion('all')).toEqual({ kind: 'all' });
    expect(parseK8sVersion(' latest\n')).toEqual({ kind: 'latest' });
    expect(parseK8sVersion('1.32.3,1.32.3, 1.31\n\n1.30.14')).toEqual({
      kind: 'list',
      items: ['1.32.3', '1.31', '1.30.14'],
    });
  });

  it('keeps build-arg values verbatim, = and all', () => {
    expect(parseBuildArgs('BASE_IMAGE=a/b:c\nEXTRA=x=y\nEMPTY=\nSPACED=two words')).toEqual([
      ['BASE_IMAGE', 'a/b:c'],
      ['EXTRA', 'x=y'],
      ['EMPTY', ''],
      ['SPACED', 'two words'],
    ]);
  });
});

describe('build inputs: invalid inputs', () => {
  itRejects([
    // k8s-version
    ['empty k8s-version', { 'k8s-version': '' }, 'k8s-version', 'is required'],
    ['k8s-version of commas only', { 'k8s-version': ' , \n' }, 'k8s-version', 'is required'],
    [
      'k8s-version with +k3s1',
      { 'k8s-version': '1.32.3+k3s1' },
      'k8s-version',
      'write plain x.y.z',
    ],
    [
      'k8s-version all with another',
      { 'k8s-version': 'all,1.32' },
      'k8s-version',
      'all cannot be combined',
    ],
    [
      'k8s-version latest with another',
      { 'k8s-version': '1.32.3\nlatest' },
      'k8s-version',
      'latest cannot be combined',
    ],
    ['k8s-version with v', { 'k8s-version': 'v1.32' }, 'k8s-version', 'is not a version'],
    [
      'k8s-version line injection',
      { 'k8s-version': '1.32.3\nIMAGE_REGISTRY=evil' },
      'k8s-version',
      'is not a version',
    ],
    // OS
    ['Ubuntu 21.04', { 'os-version': '21.04' }, 'os-version', 'not an Ubuntu version'],
    ['os-version not a version', { 'os-version': 'jammy' }, 'os-version', 'is not a version'],
    [
      'rhel without BASE_IMAGE',
      { 'os-distribution': 'rhel', 'os-version': '9.4' },
      'os-distribution',
      'needs a BASE_IMAGE',
    ],
    [
      'sles with BASE_IMAGE commented out',
      { 'os-distribution': 'sles', 'build-args': '# BASE_IMAGE=x' },
      'os-distribution',
      'needs a BASE_IMAGE',
    ],
    ['unknown OS', { 'os-distribution': 'debian' }, 'os-distribution', 'is not one of'],
    // arch and booleans
    ['arch x86', { arch: 'x86' }, 'arch', 'is not one of amd64, arm64'],
    // build-args
    [
      'lower-case build-arg key',
      { 'build-args': 'base_image=x' },
      'build-args',
      'must be an upper-case identifier',
    ],
    [
      'build-arg with its own input',
      { 'build-args': 'IMAGE_REGISTRY=' },
      'build-args',
      'IMAGE_REGISTRY has its own input: use image-registry',
    ],
    [
      'build-arg K8S_VERSION',
      { 'build-args': 'K8S_VERSION=1.32.3' },
      'build-args',
      'use k8s-version',
    ],
    ['build-arg UBUNTU_PRO_KEY', { 'build-args': 'UBUNTU_PRO_KEY=x' }, 'build-args', 'use secrets'],
    [
      'duplicate build-arg',
      { 'build-args': 'FOO=1\nBAR=2\nFOO=3' },
      'build-args',
      'FOO is given twice',
    ],
    ["build-arg value with '", { 'build-args': "FOO=it's" }, 'build-args', "must not contain '"],
    ['build-arg line without =', { 'build-args': 'JUSTAWORD' }, 'build-args', 'is not KEY=VALUE'],
    [
      'CR injection in a build-arg',
      { 'build-args': 'FOO=a\rIMAGE_REGISTRY=evil.example.com' },
      'build-args',
      'control characters',
    ],
    [
      'newline injection in build-args',
      { 'build-args': 'FOO=bar\nIMAGE_REGISTRY=evil.example.com' },
      'build-args',
      'has its own input',
    ],
    ['NUL in a build-arg', { 'build-args': 'FOO=a\u0000b' }, 'build-args', 'control characters'],
    [
      'escape sequence in a build-arg',
      { 'build-args': 'FOO=\u001b[31mred' },
      'build-args',
      'control characters',
    ],
    [
      'vertical tab in a build-arg',
      { 'build-args': 'FOO=a\u000bb' },
      'build-args',
      'control characters',
    ],
    // secrets
    [
      'secret with an empty value',
      { secrets: 'UBUNTU_PRO_KEY=' },
      'secrets',
      'UBUNTU_PRO_KEY has an empty value',
    ],
    [
      'secret with a lower-case key',
      { secrets: 'token=abc' },
      'secrets',
      'must be an upper-case identifier',
    ],
    // proxies
    [
      'proxy ftp://',
      { 'http-proxy': 'ftp://proxy.example.com:21' },
      'http-proxy',
      'scheme ftp: is not supported',
    ],
    [
      'proxy not a URL',
      { 'https-proxy': 'proxy.example.com:3128' },
      'https-proxy',
      'is not a URL such as http://proxy.example.com:3128',
    ],
    [
      'proxy with a space in the host',
      { 'https-proxy': 'http://proxy example.com:3128' },
      'https-proxy',
      'is not a URL',
    ],
    [
      'proxy with a space in the path',
      { 'http-proxy': 'http://proxy.example.com:3128/a b' },
      'http-proxy',
      'must not contain spaces',
    ],
    [
      'proxy with $(id)',
      { 'http-proxy': 'http://proxy.example.com:3128/$(id)' },
      'http-proxy',
      'must not contain spaces, quotes, $',
    ],
    [
      'proxy with $(id) in the host',
      { 'https-proxy': 'http://$(id).example.com:3128' },
      'https-proxy',
      'must not contain spaces, quotes, $',
    ],
    [
      'proxy with a backtick',
      { 'http-proxy': 'http://proxy.example.com:3128/`id`' },
      'http-proxy',
      'must not contain spaces, quotes, $',
    ],
    [
      'no-proxy with a space',
      { 'no-proxy': 'localhost, example.com' },
      'no-proxy',
      'comma-separated list',
    ],
  ]);

  it('a runner of another architecture needs an explicit arch', () => {
    const error = inputError(() => parse({}, fakeContext({ runnerArch: 'X86' })));
    expect([error.input, error.rule]).toEqual([
      'arch',
      'the runner is X86; set arch to amd64 or arm64',
    ]);
  });

  it('a missing proxy-ca-certs file is an InputError naming proxy-ca-certs', () => {
    const ctx = fakeContext({ files: { '/ws/ok.pem': CERT_1 } });
    const error = inputError(() => parse({ 'proxy-ca-certs': 'ok.pem\nmissing.pem' }, ctx));
    expect([error.input, error.rule]).toEqual(['proxy-ca-certs', 'cannot read file "missing.pem"']);
    expect(ctx.reads).toEqual(['/ws/ok.pem', '/ws/missing.pem']);
  });

  it('a proxy-ca-certs file without a certificate is an InputError', () => {
    const ctx = fakeContext({ files: { '/ws/empty.pem': 'not a certificate\n' } });
    const error = inputError(() => parse({ 'proxy-ca-certs': 'empty.pem' }, ctx));
    expect([error.input, error.rule]).toEqual([
      'proxy-ca-certs',
      'holds no PEM certificate (-----BEGIN CERTIFICATE-----)',
    ]);
  });

  it('signing-public-key must be a public key, from text or a readable file', () => {
    const notKey = inputError(() => parse({ 'signing-public-key': CERT_1 }));
    expect([notKey.input, notKey.rule]).toEqual([
      'signing-public-key',
      'is not a PEM public key (-----BEGIN PUBLIC KEY-----)',
    ]);
    const missing = inputError(() => parse({ 'signing-public-key': 'keys/missing.pub' }));
    expect([missing.input, missing.rule]).toEqual([
      'signing-public-key',
      'cannot read file "keys/missing.pub"',
    ]);
  });
});
