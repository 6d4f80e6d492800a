/**
 * Whether CanvOS's BuildKit mirror can serve this runner. CanvOS's earthly.sh starts
 * `$SPECTRO_PUB_REPO/third-party/edge/earthly/buildkitd:$EARTHLY_VERSION` on every arch, but
 * Earthly runs its BuildKit on the runner's own arch: it takes a local image as it is and
 * otherwise leaves the pull to `docker run` (earthly/earthly buildkitd/buildkitd.go, MaybePull and
 * Start, v0.8.15). A mirror without that arch fails at BuildKit's start-up, so the build falls
 * back to Earthly's own default, earthly/buildkitd, published for amd64 and arm64.
 */
import type { EarthlyPlan } from './earthly-plan.js';
import type { Arch } from './inputs/types.js';

/** What the local Docker, or else the mirror's registry, said about the mirror's image. */
export type MirrorFinding =
  | { where: 'docker'; platform: string }
  | { where: 'registry'; platforms: readonly string[] }
  | { where: 'registry'; missing: true }
  | { where: 'registry'; error: string };

export interface MirrorVerdict {
  use: boolean;
  level: 'info' | 'notice' | 'warning';
  message: string;
}

/** Earthly's own BuildKit image, baked into each release: `earthly/buildkitd:<its version>`. */
export function earthlyDefaultBuildkit(version: string): string {
  return `earthly/buildkitd:${version}`;
}

function linuxOn(platform: string, arch: Arch): boolean {
  const [os, architecture] = platform.split('/');
  return os === 'linux' && architecture === arch;
}

export function mirrorVerdict(
  mirror: string,
  arch: Arch,
  version: string,
  finding: MirrorFinding,
): MirrorVerdict {
  const runner = `linux/${arch}`;
  const fallback = `using Earthly's default, ${earthlyDefaultBuildkit(version)}`;
  if (finding.where === 'docker') {
    // Earthly starts a local image as it is: one of another arch would not run here.
    return linuxOn(finding.platform, arch)
      ? {
          use: true,
          level: 'info',
          message: `BuildKit image ${mirror} (${runner}, in the local Docker)`,
        }
      : {
          use: false,
          level: 'warning',
          message: `The local Docker's ${mirror} is ${finding.platform}, not this runner's ${runner}: ${fallback}`,
        };
  }
  if ('platforms' in finding) {
    return finding.platforms.some((platform) => linuxOn(platform, arch))
      ? { use: true, level: 'info', message: `BuildKit image ${mirror} (has ${runner})` }
      : {
          use: false,
          level: 'notice',
          message: `CanvOS's BuildKit mirror has no ${runner} image of ${mirror} (it has ${finding.platforms.join(', ') || 'no platform'}): ${fallback}`,
        };
  }
  if ('missing' in finding) {
    return {
      use: false,
      level: 'notice',
      message: `CanvOS's BuildKit mirror has no ${mirror}: ${fallback}`,
    };
  }
  return {
    use: false,
    level: 'warning',
    message: `Could not tell whether CanvOS's BuildKit mirror has a ${runner} image of ${mirror} (${finding.error}): ${fallback}`,
  };
}

/** The plan with Earthly left to its default BuildKit image. */
export function withoutBuildkitMirror(earthly: EarthlyPlan): EarthlyPlan {
  const at = earthly.args.indexOf('--buildkit-image');
  return {
    ...earthly,
    buildkitImage: undefined,
    buildkitMirror: undefined,
    args: at < 0 ? earthly.args : earthly.args.filter((_, i) => i !== at && i !== at + 1),
  };
}
