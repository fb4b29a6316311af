#!/bin/bash
# linux-qualys-proxy.sh - give the Qualys Cloud Agent (Defender for Servers' legacy
# vulnerability assessment) its proxy. The Qualys extension takes no proxy setting, so the
# proxy can only be set after the extension has installed the agent: this script waits for it.
#
# Run as root through Azure Run Command. Named run-command parameters arrive as environment
# variables (a parameter with an empty value is not set at all):
#   PROXY_URL     required  http://host:port - plain http, a port, no user:password@, no path
#   WAIT_SECONDS  optional  how long to wait for the agent to be installed; default 1800
#   ROOT          optional  prefix for every file path this script touches (tests only)
#
# UNCONFIRMED: the install directory, the unit name and the qualys_https_proxy key in
# /etc/sysconfig/qualys-cloud-agent (RHEL/SUSE family) or /etc/default/qualys-cloud-agent
# (Debian family) come from community scripts, not from Microsoft or Qualys documentation.
set -euo pipefail

readonly SCRIPT_NAME=linux-qualys-proxy.sh
readonly POLL_SECONDS=10
readonly UNIT=qualys-cloud-agent.service

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
	[[ $url == http://* ]] || die 2 "PROXY_URL must use the http:// scheme; $fix"
	rest=${url#http://}
	[[ $rest != *@* ]] || die 2 "PROXY_URL must not carry credentials (no credentials are ever passed to these scripts); $fix"
	[[ $rest != */* && $rest != *'?'* && $rest != *'#'* ]] || die 2 "PROXY_URL must not have a path, query or fragment; $fix"
	[[ $rest == *:* ]] || die 2 "PROXY_URL has no port; $fix"
	host=${rest%:*}
	port=${rest##*:}
	[[ $host =~ $host_re ]] || die 2 "PROXY_URL host must be a DNS name or an IPv4 address; $fix"
	if [[ ! $port =~ ^[1-9][0-9]{0,4}$ ]] || ((port > 65535)); then
		die 2 "PROXY_URL port must be a number from 1 to 65535; $fix"
	fi
}

qualys_installed() {
	local dir
	[[ -d $ROOT/usr/local/qualys/cloud-agent ]] && return 0
	[[ -e $ROOT/etc/init.d/qualys-cloud-agent ]] && return 0
	for dir in /etc/systemd/system /lib/systemd/system /usr/lib/systemd/system; do
		[[ -e $ROOT$dir/$UNIT ]] && return 0
	done
	return 1
}

# Waits, WAIT_SECONDS at most, polling every POLL_SECONDS. The time waited is the sum of the
# sleeps, so the bound does not depend on how long each check takes.
wait_for_qualys() {
	local waited=0 step
	qualys_installed && return 0
	echo "waiting: the Qualys Cloud Agent is not installed yet; waiting up to ${WAIT_SECONDS}s"
	until qualys_installed; do
		((waited < WAIT_SECONDS)) ||
			die 1 "the Qualys Cloud Agent was not installed after ${WAIT_SECONDS}s (no $ROOT/usr/local/qualys/cloud-agent, no $UNIT); deploy the Qualys extension first, or raise WAIT_SECONDS"
		step=$((WAIT_SECONDS - waited < POLL_SECONDS ? WAIT_SECONDS - waited : POLL_SECONDS))
		sleep "$step"
		waited=$((waited + step))
	done
	echo "found: the Qualys Cloud Agent after ${waited}s"
}

main() {
	ROOT=${ROOT:-}
	validate_proxy_url
	WAIT_SECONDS=${WAIT_SECONDS:-1800}
	[[ $WAIT_SECONDS =~ ^[0-9]{1,6}$ ]] ||
		die 2 "WAIT_SECONDS must be a whole number of seconds (0 to 999999); leave WAIT_SECONDS unset for the default 1800"
	WAIT_SECONDS=$((10#$WAIT_SECONDS))

	local work
	work=$(mktemp -d "${TMPDIR:-/tmp}/defender-servers-qualys.XXXXXX")
	# shellcheck disable=SC2064 # expand now: $work is local to main
	trap "rm -rf -- '$work'" EXIT

	wait_for_qualys

	local env_file
	if [[ -d $ROOT/etc/sysconfig ]]; then
		env_file=$ROOT/etc/sysconfig/qualys-cloud-agent # RHEL / SUSE family
	else
		env_file=$ROOT/etc/default/qualys-cloud-agent # Debian family
	fi

	# Every qualys_https_proxy= line is replaced (one is appended when there is none); all
	# other lines are kept as they are.
	local line="qualys_https_proxy=$PROXY_URL"
	{
		if [[ -f $env_file ]]; then
			awk -v line="$line" '
				/^[[:space:]]*qualys_https_proxy[[:space:]]*=/ { print line; seen = 1; next }
				{ print }
				END { if (!seen) print line }
			' "$env_file"
		else
			printf '%s\n' "$line"
		fi
	} >"$work/candidate"

	if [[ -f $env_file ]] && [[ "$(
		cat -- "$env_file"
		printf x
	)" == "$(
		cat -- "$work/candidate"
		printf x
	)" ]]; then
		echo "unchanged: $env_file (qualys_https_proxy=$PROXY_URL)"
		echo "done: Qualys Cloud Agent proxy is $PROXY_URL"
		return 0
	fi

	if [[ -e $env_file ]]; then
		cp -- "$env_file" "$work/backup"
		cat -- "$work/candidate" >"$env_file" # in place: keeps owner, mode and SELinux label
	else
		mkdir -p -- "$(dirname -- "$env_file")"
		install -m 0644 -- "$work/candidate" "$env_file"
	fi
	echo "changed: $env_file (qualys_https_proxy=$PROXY_URL)"

	if ! systemctl restart "$UNIT"; then
		# Put the file back so that a new run sees a change and restarts the agent again.
		if [[ -f $work/backup ]]; then cat -- "$work/backup" >"$env_file"; else rm -f -- "$env_file"; fi
		die 1 "systemctl restart $UNIT failed; $env_file was put back as it was so a new run tries again"
	fi
	echo "restarted: $UNIT"
	echo "done: Qualys Cloud Agent proxy is $PROXY_URL"
}

main "$@"
