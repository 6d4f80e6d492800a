// When the background download starts, against the harness's release server: the versions
// downloaded are read from its request log.
import { beforeEach, describe, expect, it } from 'vitest';
import { type DownloadPolicy, EarthlyDownload } from '../../../src/earthly/download.js';
import { useReleaseServer } from '../../harness/suite.js';
import { captureStdout, toolCacheEnv, useSandbox } from '../support.js';

const releases = useReleaseServer();
useSandbox('earthly-download-test-', toolCacheEnv);

beforeEach(() => {
  releases.clearRequests();
});

function download(policy: Partial<DownloadPolicy> = {}): EarthlyDownload {
  return new EarthlyDownload({
    requested: 'auto',
    distribution: 'earthly',
    forkDefault: 'v0.8.18',
    waitForRegistry: false,
    request: (version) => ({
      version,
      distribution: policy.distribution ?? 'earthly',
      arch: 'amd64',
      downloadUrlTemplate: releases.urlTemplate(policy.distribution ?? 'earthly'),
    }),
    ...policy,
  });
}
/** The versions whose binary was downloaded, once each transfer has finished. */
const downloaded = () =>
  releases
    .downloads()
    .filter((r) => r.kind === 'release-download')
    .map((r) => r.version);

describe('EarthlyDownload', () => {
  it('starts an exact version at once, and the build gets that download', async () => {
    captureStdout();
    const earthly = download({ requested: 'v0.8.16' });
    earthly.startKnownVersion();
    earthly.startLikelyPin('v4.9.38'); // not auto: no guess
    const installation = await earthly.installation('v0.8.16');
    expect(installation).toMatchObject({ version: 'v0.8.16', cacheHit: false });
    expect(downloaded()).toEqual(['v0.8.16']);
  });

  it('auto upstream: starts on the tag’s likely pin, and once only per version', async () => {
    captureStdout();
    const earthly = download();
    earthly.startKnownVersion(); // nothing known yet
    expect(releases.requests).toEqual([]);
    earthly.startLikelyPin('v4.4.12');
    earthly.startPlanned('v0.8.5');
    await earthly.installation('v0.8.5');
    expect(downloaded()).toEqual(['v0.8.5']);
  });

  it('auto with the fork: its default, before the clone', async () => {
    captureStdout();
    const earthly = download({ distribution: 'earthbuild', forkDefault: 'v0.8.17' });
    earthly.startKnownVersion();
    const installation = await earthly.installation('v0.8.17');
    expect([installation.command, downloaded()]).toEqual(['earth', ['v0.8.17']]);
  });

  // A dry run never builds an EarthlyDownload at all (main.ts loads execution.ts only for a real run).
  it('waits for the registry when a re-run may build nothing', async () => {
    const waiting = download({ waitForRegistry: true });
    waiting.startKnownVersion();
    waiting.startLikelyPin('v4.9.38');
    waiting.startPlanned('v0.8.15');
    await new Promise((r) => setTimeout(r, 200));
    expect(releases.requests).toEqual([]);
  });

  it('a failed early start surfaces only when the build asks for it', async () => {
    captureStdout();
    const earthly = download({ requested: 'v0.8.99' }); // the server has no such release
    earthly.startKnownVersion();
    await new Promise((r) => setTimeout(r, 200));
    await expect(earthly.installation('v0.8.99')).rejects.toThrow(/HTTP 404/);
  });
});
