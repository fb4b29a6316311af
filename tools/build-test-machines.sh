#!/usr/bin/env bash
# Builds the Debian root file systems the booted specs (test/*.booted.spec.ts) boot with
# systemd-nspawn: Debian 11 (bullseye), 12 (bookworm) and 13 (trixie), each from Debian's own
# packages with mmdebstrap, with systemd as init, Debian's Azure Linux Agent package (waagent,
# unit walinuxagent.service), apt, curl, the CA store and the tr_TR/az_AZ locales generated.
# Cached: a tree that is complete (its .complete stamp names this recipe) is not built again.
# Everything lands under $DEFENDER_TOOLS/debian/<codename> (default ~/.cache/defender-servers-tools).
set -euo pipefail

tools="${DEFENDER_TOOLS:-$HOME/.cache/defender-servers-tools}"
root="$tools/debian"
SUITES=(bullseye bookworm trixie)
PACKAGES=systemd,systemd-sysv,dbus,waagent,locales,curl,ca-certificates,iproute2,procps
# Bumped whenever the recipe changes, so that a cached tree of an older recipe is rebuilt.
RECIPE="v1 $PACKAGES tr_TR.UTF-8 az_AZ.UTF-8"

log() { printf 'build-test-machines: %s\n' "$*"; }

mkdir -p "$root"
for suite in "${SUITES[@]}"; do
    dir="$root/$suite"
    if [[ -f "$dir/.complete" && "$(cat "$dir/.complete")" == "$RECIPE" ]]; then
        continue
    fi
    log "mmdebstrap $suite (Debian's packages) into $dir"
    rm -rf "$dir" "$dir.partial"
    started=$SECONDS
    # The locales the locale spec runs the scripts under: Turkish and Azerbaijani map I and i
    # differently from every other locale.
    mmdebstrap --quiet --variant=minbase --include="$PACKAGES" \
        --customize-hook='printf "en_US.UTF-8 UTF-8\ntr_TR.UTF-8 UTF-8\naz_AZ.UTF-8 UTF-8\n" >"$1/etc/locale.gen"' \
        --customize-hook='chroot "$1" locale-gen >/dev/null' \
        --customize-hook='rm -f "$1/etc/machine-id"; : >"$1/etc/machine-id"' \
        "$suite" "$dir.partial" http://deb.debian.org/debian
    mv "$dir.partial" "$dir"
    printf '%s' "$RECIPE" >"$dir/.complete"
    log "$suite ready in $((SECONDS - started)) s"
done
