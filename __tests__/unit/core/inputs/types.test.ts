import { describe, expect, it } from 'vitest';
import { DEFAULT_CANVOS_REPOSITORY, K8S_DISTRIBUTIONS } from '../../../../src/core/inputs/types.js';
import { K8S_V4_10, K8S_V4_4_12 } from '../../support.js';

describe('input types', () => {
  // CanvOS's k8s_version.json at v4.10.0 (spectrocloud/CanvOS) lists the distributions it builds.
  it('accepts exactly the Kubernetes distributions CanvOS lists', () => {
    expect([...K8S_DISTRIBUTIONS].sort()).toEqual(
      Object.keys(JSON.parse(K8S_V4_10) as object).sort(),
    );
    for (const older of Object.keys(JSON.parse(K8S_V4_4_12) as object))
      expect(K8S_DISTRIBUTIONS).toContain(older);
  });

  it('builds from spectrocloud/CanvOS on GitHub by default', () => {
    expect(DEFAULT_CANVOS_REPOSITORY).toBe('https://github.com/spectrocloud/CanvOS.git');
  });
});
