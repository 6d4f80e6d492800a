// The `global:` keys each Earthly release reads: the yaml tags of GlobalConfig in earthly/earthly
// config/config.go at v0.7.4, v0.8.15 and v0.8.16, and EarthBuild/earthbuild's at v0.8.18.
import { describe, expect, it } from 'vitest';
import { ANY_CONFIG_KEY, knownConfigKeys } from '../../../src/earthly/config-keys.js';

describe('knownConfigKeys', () => {
  it('spells the TLS keys as Earthly does: tlsca, tlscert, tlskey', () => {
    for (const version of ['v0.7.4', 'v0.8.5', 'v0.8.15', 'v0.8.16', 'v0.8.18']) {
      expect(knownConfigKeys(version)).toEqual(
        expect.arrayContaining(['tlsca', 'tlscert', 'tlskey']),
      );
      expect(knownConfigKeys(version)).not.toContain('tls_ca');
    }
  });

  it('knows disable_analytics up to v0.8.15 only', () => {
    expect(knownConfigKeys('v0.7.4')).toContain('disable_analytics');
    expect(knownConfigKeys('v0.8.15')).toContain('disable_analytics');
    expect(knownConfigKeys('v0.8.16')).not.toContain('disable_analytics');
    expect(knownConfigKeys('v0.8.18-0123abcd')).not.toContain('disable_analytics');
  });

  it('adds the darwin proxy and tlsca_key from v0.8 on', () => {
    expect(knownConfigKeys('v0.7.4')).not.toContain('tlsca_key');
    expect(knownConfigKeys('v0.8.5')).toContain('tlsca_key');
    expect(knownConfigKeys('v0.8.16')).toContain('darwin_proxy_image');
  });

  it('ANY_CONFIG_KEY is the union over the supported releases', () => {
    const union = new Set(
      ['v0.7.4', 'v0.8.15', 'v0.8.16'].flatMap((version) => knownConfigKeys(version)),
    );
    expect([...ANY_CONFIG_KEY].sort()).toEqual([...union].sort());
  });
});
