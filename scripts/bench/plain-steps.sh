#!/usr/bin/env bash
# The same steps as the action, as a plain sequential script (the baseline for its overhead):
# ls-remote, shallow clone, write .arg, download Earthly + checksum.asc and sha256sum -c,
# docker login, earthly --ci --push, look the image up in the registry, docker logout.
# Prints BUILD_MS=<the earthly run's own wall time> on stderr.
# Environment: REPO_URL URL_TEMPLATE EARTHLY_VERSION REGISTRY REGISTRY_USER REGISTRY_PASSWORD
#              K8S_VERSION CUSTOM_TAG WORK (an empty directory)
set -euo pipefail
cd "$WORK"

# Newest plain vX.Y.Z tag (pre-releases and letter tags are not releases).
tag=$(git ls-remote --tags --refs "$REPO_URL" | sed 's|.*refs/tags/||' |
  grep -E '^v[0-9]+\.[0-9]+\.[0-9]+$' | sort -V | tail -n 1)
git -c advice.detachedHead=false clone -q --depth 1 --branch "$tag" --single-branch --no-tags \
  "$REPO_URL" canvos
pe_version=$(sed -n 's/^ARG PE_VERSION=//p' canvos/Earthfile | head -n 1)

cat >canvos/.arg <<ARG
CUSTOM_TAG=$CUSTOM_TAG
IMAGE_REGISTRY=$REGISTRY/edge
OS_DISTRIBUTION=ubuntu
IMAGE_REPO=ubuntu
OS_VERSION=22.04
K8S_DISTRIBUTION=k3s
ARCH=amd64
UPDATE_KERNEL=false
K8S_VERSION=$K8S_VERSION
ARG

url() { local u=${URL_TEMPLATE//\{version\}/$EARTHLY_VERSION}; echo "${u//\{asset\}/$1}"; }
curl -fsSL -o checksum.asc "$(url checksum.asc)"
curl -fsSL -o earthly-linux-amd64 "$(url earthly-linux-amd64)"
grep -E '^[0-9a-f]{64}  earthly-linux-amd64$' checksum.asc | sha256sum -c --quiet -
chmod +x earthly-linux-amd64

export DOCKER_CONFIG="$WORK/docker-config"
mkdir -p "$DOCKER_CONFIG"
printf '%s' "$REGISTRY_PASSWORD" | docker login -u "$REGISTRY_USER" --password-stdin "$REGISTRY" >/dev/null 2>&1

started=$(date +%s%N)
(cd canvos && ../earthly-linux-amd64 --ci --push --allow-privileged +build-provider-images) 2>/dev/null
ended=$(date +%s%N)

ref_tag="k3s-$K8S_VERSION-$pe_version-$CUSTOM_TAG"
curl -fsS -o /dev/null -u "$REGISTRY_USER:$REGISTRY_PASSWORD" -I \
  -H 'Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json' \
  "http://$REGISTRY/v2/edge/ubuntu/manifests/$ref_tag"
docker logout "$REGISTRY" >/dev/null
echo "BUILD_MS=$(((ended - started) / 1000000))" >&2
