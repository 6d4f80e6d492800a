import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  certsLayout,
  earthfileArgDefault,
  parseK8sVersionJson,
  readBuildkitMirror,
  readEarthlyVersion,
  readEdgeCustomConfig,
  readPeVersion,
} from '../../../src/core/canvos-source.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');

// Excerpts of real CanvOS files: the first 60 lines of the Earthfile, and the buildkitd and
// EARTHLY_VERSION / SPECTRO_PUB_REPO lines of earthly.sh.
const EARTHFILE_V4_10_0 = fixture('Earthfile.v4.10.0.head.txt');
const EARTHFILE_V4_4_12 = fixture('Earthfile.v4.4.12.head.txt');
const EARTHLY_SH_V4_10_0 = fixture('earthly.sh.v4.10.0.excerpt.txt');
const EARTHLY_SH_V4_4_12 = fixture('earthly.sh.v4.4.12.excerpt.txt');
// The line that copies proxy certificates in the base image, from v4.5.11 on (v4.10.0 line 216).
const CERTS_COPY_LINE = '    COPY --if-exists certs/ /etc/ssl/certs/';

describe('readPeVersion', () => {
  it('reads the Earthfile default, not the tag name, at v4.10.0', () => {
    expect(readPeVersion(EARTHFILE_V4_10_0)).toBe('v4.9.21');
  });

  it('reads v4.4.12 at v4.4.12', () => {
    expect(readPeVersion(EARTHFILE_V4_4_12)).toBe('v4.4.12');
  });

  it('ignores an ARG PE_VERSION inside a target', () => {
    const earthfile = [
      'VERSION 0.6',
      'ARG OS_DISTRIBUTION',
      '',
      'build-provider-images:',
      '    ARG PE_VERSION=v9.9.9',
      '    BUILD +provider-image',
    ].join('\n');
    expect(readPeVersion(earthfile)).toBeUndefined();
    const withGlobal = `${EARTHFILE_V4_10_0}\nalpine:\n    ARG PE_VERSION=v0.0.1\n`;
    expect(readPeVersion(withGlobal)).toBe('v4.9.21');
  });

  it('understands --global, quotes, CRLF and indentation in the global section', () => {
    expect(readPeVersion('VERSION 0.7\nARG --global PE_VERSION=v4.9.38\n')).toBe('v4.9.38');
    expect(readPeVersion('VERSION 0.6\r\nARG PE_VERSION="v4.9.1"\r\nbase:\r\n')).toBe('v4.9.1');
    expect(readPeVersion("  ARG PE_VERSION='v4.8.1'\n")).toBe('v4.8.1');
    expect(readPeVersion('ARG PE_VERSION\n')).toBeUndefined();
    expect(readPeVersion('ARG PE_VERSION_OLD=v1\n')).toBeUndefined();
  });

  it('reads other global defaults the same way', () => {
    expect(earthfileArgDefault(EARTHFILE_V4_10_0, 'KAIROS_VERSION')).toBe('v4.0.4');
    expect(earthfileArgDefault(EARTHFILE_V4_10_0, 'DRBD_VERSION')).toBeUndefined(); // line 68, past the excerpt
    expect(earthfileArgDefault(EARTHFILE_V4_4_12, 'SPECTRO_PUB_REPO')).toBe(
      'gcr.io/spectro-images-public',
    );
  });
});

describe('readEdgeCustomConfig', () => {
  it('reads the real default and falls back to it', () => {
    expect(readEdgeCustomConfig(EARTHFILE_V4_10_0)).toBe('.edge-custom-config.yaml');
    expect(readEdgeCustomConfig(EARTHFILE_V4_4_12)).toBe('.edge-custom-config.yaml');
    expect(readEdgeCustomConfig('VERSION 0.6\n')).toBe('.edge-custom-config.yaml');
    expect(readEdgeCustomConfig('ARG EDGE_CUSTOM_CONFIG=config/signing.yaml\n')).toBe(
      'config/signing.yaml',
    );
  });
});

describe('readEarthlyVersion', () => {
  it('reads the pinned version from real earthly.sh lines', () => {
    expect(readEarthlyVersion(EARTHLY_SH_V4_10_0)).toBe('v0.8.15');
    expect(readEarthlyVersion(EARTHLY_SH_V4_4_12)).toBe('v0.8.5');
  });

  it('adds the v, accepts export and quotes, and gives undefined without a pin', () => {
    expect(readEarthlyVersion('export EARTHLY_VERSION="0.7.4"\n')).toBe('v0.7.4');
    expect(readEarthlyVersion('#!/bin/bash\necho hi\n')).toBeUndefined();
  });
});

describe('readBuildkitMirror', () => {
  it('fills in the variables of the current wrapper', () => {
    expect(readBuildkitMirror(EARTHLY_SH_V4_10_0, 'v0.8.15')).toBe(
      'us-docker.pkg.dev/palette-images/third-party/edge/earthly/buildkitd:v0.8.15',
    );
  });

  it('fills in the variables of the v4.4.12 wrapper', () => {
    expect(readBuildkitMirror(EARTHLY_SH_V4_4_12, 'v0.8.5')).toBe(
      'gcr.io/spectro-images-public/earthly/buildkitd:v0.8.5',
    );
  });

  it('uses the version it is given, not the one in the file', () => {
    expect(readBuildkitMirror(EARTHLY_SH_V4_10_0, 'v0.8.16')).toBe(
      'us-docker.pkg.dev/palette-images/third-party/edge/earthly/buildkitd:v0.8.16',
    );
  });

  it('gives undefined when a variable is unknown or there is no buildkitd image', () => {
    expect(
      readBuildkitMirror('docker run $MIRROR/earthly/buildkitd:$EARTHLY_VERSION\n', 'v0.8.15'),
    ).toBeUndefined();
    expect(readBuildkitMirror('EARTHLY_VERSION=v0.8.15\n', 'v0.8.15')).toBeUndefined();
  });

  it('gives undefined for what is not an image name (a fork’s earthly.sh may say anything)', () => {
    // The mirror reaches `docker image inspect` and Earthly's --buildkit-image: never a flag.
    for (const line of ['--format={{.Id}}/buildkitd:x', 'Registry.Example/BuildKit/buildkitd:v1'])
      expect(readBuildkitMirror(`docker run ${line}\n`, 'v0.8.15')).toBeUndefined();
  });
});

describe('certsLayout', () => {
  it('v4.4.12 takes one sc.crt named by PROXY_CERT_PATH', () => {
    expect(EARTHFILE_V4_4_12).toContain('ARG PROXY_CERT_PATH');
    expect(certsLayout(EARTHFILE_V4_4_12)).toBe('sc-crt');
  });

  it('newer tags take a certs/ folder', () => {
    expect(certsLayout(EARTHFILE_V4_10_0)).toBe('certs-dir');
    expect(certsLayout(`${EARTHFILE_V4_10_0}\nbase-image:\n${CERTS_COPY_LINE}\n`)).toBe(
      'certs-dir',
    );
  });
});

describe('parseK8sVersionJson', () => {
  it('reads v4.4.12: four distributions', () => {
    const lists = parseK8sVersionJson(fixture('k8s_version.v4.4.12.json'));
    expect(Object.keys(lists)).toEqual(['k3s', 'kubeadm', 'rke2', 'kubeadm-fips']);
    expect(lists.k3s.length).toBe(18);
    expect(lists.k3s[0]).toBe('1.24.6');
    expect(lists.k3s.at(-1)).toBe('1.30.4');
    expect(lists.nodeadm).toBeUndefined();
  });

  it('reads v4.9.38 and v4.10.0-rc.10: six distributions', () => {
    for (const name of ['k8s_version.v4.9.38.json', 'k8s_version.v4.10.0-rc.10.json']) {
      const lists = parseK8sVersionJson(fixture(name));
      expect(Object.keys(lists).sort()).toEqual([
        'canonical',
        'k3s',
        'kubeadm',
        'kubeadm-fips',
        'nodeadm',
        'rke2',
      ]);
      expect(lists.nodeadm).toEqual(['1.29.0', '1.30.0', '1.31.0', '1.32.0']);
      expect(lists.k3s).toContain('1.32.3');
    }
    expect(parseK8sVersionJson(fixture('k8s_version.v4.10.0-rc.10.json')).kubeadm.at(-1)).toBe(
      '1.35.6',
    );
  });

  it('keeps only string lists', () => {
    expect(parseK8sVersionJson('{"k3s":["1.32.3",1.33,null],"note":"x","rke2":[]}')).toEqual({
      k3s: ['1.32.3'],
      rke2: [],
    });
  });

  it('rejects what is not an object', () => {
    expect(() => parseK8sVersionJson('[]')).toThrow('k8s_version.json is not an object');
    expect(() => parseK8sVersionJson('null')).toThrow('k8s_version.json is not an object');
    // JSON.parse would quote the text; the error must not echo a file's content.
    expect(() => parseK8sVersionJson('root:x:0:0:secret')).toThrow(/^it is not JSON$/);
  });
});
