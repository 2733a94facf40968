#!/usr/bin/env bash
# Builds localhost/debian-base:bookworm from Debian's own packages, for machines that reach a Debian
# mirror but no image registry: debootstrap (minbase) + Debian's python3 and python3-venv, imported
# into podman. Where a registry exists, skip this and build with --build-arg BASE_IMAGE=python:3.11-slim.
#
#   deploy/base-image.sh            # builds it if podman does not have it yet
#   deploy/base-image.sh --force    # builds it again
#
# Env: BASE_IMAGE (default localhost/debian-base:bookworm), DEBIAN_MIRROR (default: the first
# deb.debian.org-style URI in /etc/apt/sources.list*, else http://deb.debian.org/debian),
# DEBIAN_SUITE (default bookworm).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
image="${BASE_IMAGE:-localhost/debian-base:bookworm}"
suite="${DEBIAN_SUITE:-bookworm}"

if [[ "${1:-}" != "--force" ]] && podman image exists "$image"; then
    echo "base image $image: already built"
    exit 0
fi

for tool in podman debootstrap; do
    command -v "$tool" >/dev/null || { echo "base-image: $tool is missing (apt-get install -y podman runc debootstrap)" >&2; exit 1; }
done
[[ $(id -u) == 0 ]] || { echo "base-image: debootstrap needs root" >&2; exit 1; }

mirror="${DEBIAN_MIRROR:-}"
if [[ -z "$mirror" ]]; then
    # The mirror this host's apt already uses (deb822 "URIs:" or one-line "deb URL suite ...").
    mirror="$(grep -hsE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
        | grep -E '/debian/?( |$)' | grep -v security | head -1 | sed -E 's/^URIs: *//; s/^deb +(\[[^]]*\] +)?//; s/ .*//' || true)"
    mirror="${mirror:-http://deb.debian.org/debian}"
fi

rootfs="$(mktemp -d "${TMPDIR:-/tmp}/dibs-rootfs.XXXXXX")"
trap 'rm -rf "$rootfs"' EXIT
start=$SECONDS
echo "base image $image: debootstrap $suite from $mirror"
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates "$suite" "$rootfs" "$mirror" \
    >"$rootfs.log" 2>&1 || { tail -30 "$rootfs.log" >&2; exit 1; }
rm -f "$rootfs.log"
# Keep the image small: no apt lists, no docs or man pages, no debootstrap leftovers.
chroot "$rootfs" apt-get clean
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
    "$rootfs"/usr/share/info/* "$rootfs"/var/cache/debconf/*-old "$rootfs"/var/log/*.log "$rootfs"/debootstrap
tar -C "$rootfs" --numeric-owner -c . | podman import --quiet \
    --change 'ENV LANG=C.UTF-8' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' \
    --message "debootstrap --variant=minbase $suite + python3 python3-venv ca-certificates" \
    - "$image" >/dev/null
echo "base image $image: built in $((SECONDS - start))s ($(podman image inspect "$image" --format '{{.Size}}' | awk '{printf "%d MB", $1/1e6}'))"
