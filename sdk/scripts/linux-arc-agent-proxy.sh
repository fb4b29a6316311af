#!/bin/bash
# linux-arc-agent-proxy.sh - point the Azure Connected Machine (Azure Arc) agent of a Linux
# machine at an HTTP proxy, with its agent-specific settings (agent 1.13+; bypass 1.15+).
#
# Run as root through Arc Run Command. Named run-command parameters arrive as environment
# variables (a parameter with an empty value is not set at all):
#   PROXY_URL         required  http://host:port - plain http, a port, no user:password@, no path
#   ARC_PROXY_BYPASS  optional  comma-separated azcmagent proxy.bypass values, each one of
#                               AAD, ARM, Arc, AMA, ArcData (exact case); empty clears the bypass
#
# Idempotent: azcmagent settings are changed only when `azcmagent config get` shows another
# value. The Arc agent supports no proxy authentication, so no credentials are taken or printed.
set -euo pipefail

readonly SCRIPT_NAME=linux-arc-agent-proxy.sh
# Seconds before the detached azcmagent calls run (see schedule_changes).
readonly APPLY_DELAY_SECONDS=30
readonly ALLOWED_BYPASS=(AAD ARM Arc AMA ArcData)

die() {
	local code=$1
	shift
	printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2
	exit "$code"
}

# Checks PROXY_URL without ever echoing it back: a rejected value may hold a password.
validate_proxy_url() {
	local url=${PROXY_URL:-}
	local fix="set PROXY_URL to http://host:port (plain http, a port, no user:password@, no path)"
	local host_re='^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$'
	local rest host port
	[[ -n $url ]] || die 2 "PROXY_URL is empty or not set; $fix"
	[[ $url == http://* ]] || die 2 "PROXY_URL must use the http:// scheme (the Arc agent supports no TLS connection to the proxy); $fix"
	rest=${url#http://}
	[[ $rest != *@* ]] || die 2 "PROXY_URL must not carry credentials (the Arc agent does not support authenticated proxies); $fix"
	[[ $rest != */* && $rest != *'?'* && $rest != *'#'* ]] || die 2 "PROXY_URL must not have a path, query or fragment; $fix"
	[[ $rest == *:* ]] || die 2 "PROXY_URL has no port; $fix"
	host=${rest%:*}
	port=${rest##*:}
	[[ $host =~ $host_re ]] || die 2 "PROXY_URL host must be a DNS name or an IPv4 address; $fix"
	if [[ ! $port =~ ^[1-9][0-9]{0,4}$ ]] || ((port > 65535)); then
		die 2 "PROXY_URL port must be a number from 1 to 65535; $fix"
	fi
}

# Prints ARC_PROXY_BYPASS normalised: entries trimmed, empty ones and repeats dropped.
normalize_bypass() {
	local raw=${ARC_PROXY_BYPASS:-} entry out="" allowed ok
	local fix="set ARC_PROXY_BYPASS to a comma-separated list of ${ALLOWED_BYPASS[*]} (exact case), or leave it empty"
	local -a entries
	[[ $raw != *$'\n'* ]] || die 2 "ARC_PROXY_BYPASS must be one line; $fix"
	IFS=',' read -r -a entries <<<"$raw"
	for entry in "${entries[@]}"; do
		entry=${entry#"${entry%%[![:space:]]*}"}
		entry=${entry%"${entry##*[![:space:]]}"}
		[[ -n $entry ]] || continue
		ok=0
		for allowed in "${ALLOWED_BYPASS[@]}"; do
			[[ $entry == "$allowed" ]] && ok=1
		done
		((ok)) || die 2 "ARC_PROXY_BYPASS has a value azcmagent does not know; $fix"
		[[ ",$out," == *",$entry,"* ]] || out+=${out:+,}$entry
	done
	printf '%s' "$out"
}

# The output format of `azcmagent config get` is not documented, so only what matters is
# taken from it: the first http:// URL, without a trailing slash ...
extract_url() {
	local url
	url=$(grep -oE 'http://[^][:space:]"'"'"',]+' <<<"$1" | head -n 1 || true)
	printf '%s' "${url%/}"
}

# ... and the bypass service names, as a sorted set.
extract_bypass_set() {
	{ grep -owE 'ArcData|AAD|ARM|Arc|AMA' <<<"$1" || true; } | sort -u | paste -sd, -
}

sorted_set() {
	tr ',' '\n' <<<"$1" | { grep -v '^$' || true; } | sort -u | paste -sd, -
}

sh_quote() {
	printf "'%s'" "${1//\'/\'\\\'\'}"
}

# azcmagent restarts the agent's services when its proxy settings change, and those services
# (the extension manager) host this very run command: run inline, the change could kill this
# script before it reports. systemd-run starts the calls as a transient unit outside their
# cgroup, a little later, in order, and this script ends first.
schedule_changes() {
	local script=$1
	command -v systemd-run >/dev/null || die 1 "systemd-run was not found; it is needed to apply the azcmagent change outside the agent's services"
	systemd-run --on-active="${APPLY_DELAY_SECONDS}s" \
		--description="defender-servers: azcmagent proxy settings" \
		/bin/sh -c "$script" ||
		die 1 "systemd-run could not schedule the azcmagent proxy change; nothing was changed"
}

main() {
	validate_proxy_url
	local bypass
	bypass=$(normalize_bypass)

	local agent
	agent=$(command -v azcmagent || true)
	if [[ -z $agent && -x /opt/azcmagent/bin/azcmagent ]]; then
		agent=/opt/azcmagent/bin/azcmagent
	fi
	[[ -n $agent ]] || die 1 "azcmagent was not found (PATH or /opt/azcmagent/bin); install and connect the Azure Connected Machine agent first"

	local got_url got_bypass
	got_url=$("$agent" config get proxy.url) || die 1 "azcmagent config get proxy.url failed"
	got_bypass=$("$agent" config get proxy.bypass) || die 1 "azcmagent config get proxy.bypass failed"

	local -a steps=()
	local q
	q=$(sh_quote "$agent")
	if [[ $(extract_url "$got_url") == "$PROXY_URL" ]]; then
		echo "unchanged: azcmagent proxy.url is $PROXY_URL"
	else
		steps+=("$q config set proxy.url $(sh_quote "$PROXY_URL")")
		echo "change: azcmagent proxy.url -> $PROXY_URL"
	fi
	if [[ $(extract_bypass_set "$got_bypass") == "$(sorted_set "$bypass")" ]]; then
		echo "unchanged: azcmagent proxy.bypass is '${bypass}'"
	elif [[ -z $bypass ]]; then
		steps+=("$q config clear proxy.bypass")
		echo "change: azcmagent proxy.bypass -> cleared"
	else
		steps+=("$q config set proxy.bypass $(sh_quote "$bypass")")
		echo "change: azcmagent proxy.bypass -> $bypass"
	fi

	if ((${#steps[@]} > 0)); then
		local script="" step
		for step in "${steps[@]}"; do
			script+=${script:+ && }$step
		done
		schedule_changes "$script"
		echo "scheduled: the azcmagent change runs in ${APPLY_DELAY_SECONDS}s (systemd-run); check with 'azcmagent show'"
	fi
	echo "done: Azure Arc agent proxy is $PROXY_URL"
}

main "$@"
