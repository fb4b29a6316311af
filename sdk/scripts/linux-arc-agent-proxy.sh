#!/bin/bash
# linux-arc-agent-proxy.sh - point the Azure Connected Machine (Azure Arc) agent of a Linux
# machine at an HTTP proxy (agent 1.13+; proxy.bypass 1.15+), and give the Arc extension
# service the proxy environment that MDE.Linux's installer needs.
#
# Run as root through Arc Run Command, twice: ARC_MODE=apply, then (a second run command that
# waits for the first) ARC_MODE=verify. Named parameters arrive as environment variables (a
# parameter with an empty value is not set at all):
#   PROXY_URL         required  http://host:port - plain http, a port, no user:password@, no path
#   ARC_PROXY_BYPASS  optional  comma-separated azcmagent proxy.bypass values, each one of
#                               AAD, ARM, Arc, AMA, ArcData (exact case); empty clears the bypass
#   PROXY_BYPASS      optional  the operating-system bypass list for the extension service's
#                               no_proxy (same rules as linux-os-proxy.sh); 168.63.129.16,
#                               169.254.169.254, localhost and 127.0.0.1 are always added
#                               (the agent's own identity endpoint is localhost:40342)
#   ROUTE_CHECK_HOSTS optional  host:port list proven through the NEW proxy before anything is
#                               committed (the Arc hosts); without it only the proxy's port is tried
#   ROUTE_CHECK_TIMEOUT_SECONDS optional seconds per probe, 1-60 (default 10)
#   ARC_MODE          optional  apply (default) or verify
#   ARC_VERIFY_WAIT_SECONDS optional, verify only: how long to wait for the extension service to
#                               run with the proxy (1-600, default 180)
#
# apply: reads the agent's settings with `azcmagent config list --json` (the --json flag is one
# of the common flags of every azcmagent command: MicrosoftDocs/azure-docs
# articles/azure-arc/servers/includes/azcmagent-common-flags.md; `config set/clear/list`:
# articles/azure-arc/servers/azcmagent-config.md). The output is parsed as JSON (python3 or RHEL's
# platform-python; neither = a clear failure), never by regex. Before changing anything it proves the new proxy
# reaches the Arc hosts; a proxy that cannot would cut the machine off from Azure. It then writes
# a systemd drop-in for extd.service (the Arc "Extension Service" that installs extensions such as
# MDE.Linux: azure-docs articles/azure-arc/servers/agent-overview.md, Linux daemons; it gets no
# proxy environment from the agent's own settings) and runs `azcmagent config set` right here,
# synchronously, then reads the settings back as JSON. Any failure or mismatch puts the previous
# proxy.url / proxy.bypass and the drop-in back and exits 1.
#   `azcmagent config set` runs in a transient scope of its own (systemd-run --scope, which
#   systemd 219 has; --wait and --pipe came in 232-236): the agent may restart its services, extd
#   among them, and this script is a child of extd. Outside extd's cgroup the change itself
#   always completes as one step; should the restart end this script
#   before the read-back, the run command fails (never a false success) and the next run finds
#   the values in place, changes nothing and succeeds.
# verify: reads the settings back again, and waits until the running extension service's own
# environment (/proc/<MainPID>/environ) holds the proxy: proof that the restart happened.
#
# The Arc agent supports no proxy authentication: no credentials are taken or printed, and
# errors never quote a value the caller gave.
# shellcheck disable=SC2250 # brace style: variables are written $var, as in the other scripts
# shellcheck disable=SC2310 # functions called from conditions check every step themselves and end in die
set -euo pipefail

# @include linux/common.sh

readonly SCRIPT_NAME=linux-arc-agent-proxy.sh
readonly MARK="Written by defender-servers (linux-arc-agent-proxy.sh)"
readonly ALLOWED_BYPASS=(AAD ARM Arc AMA ArcData)
readonly EXT_UNIT=extd.service
readonly DROPIN=/etc/systemd/system/extd.service.d/13-Proxy.conf
# Seconds before the detached restart of extd when only its drop-in changed (this script runs
# under extd, so restarting it inline would end this script before it reports).
readonly EXTD_RESTART_DELAY_SECONDS=10

# @include linux/files.sh

AGENT=
# What to put back on failure: set once the agent's settings were read.
OLD_URL=
OLD_BYPASS=
AGENT_TOUCHED=0

# Undoes what this run changed: the agent's two settings and the extd drop-in.
roll_back() {
	if ((AGENT_TOUCHED)); then
		if [[ -n $OLD_URL ]]; then
			apply_setting set proxy.url "$OLD_URL" || printf '%s: error: could not put proxy.url back\n' "$SCRIPT_NAME" >&2
		else
			apply_setting clear proxy.url || printf '%s: error: could not clear proxy.url again\n' "$SCRIPT_NAME" >&2
		fi
		if [[ -n $OLD_BYPASS ]]; then
			apply_setting set proxy.bypass "$OLD_BYPASS" || printf '%s: error: could not put proxy.bypass back\n' "$SCRIPT_NAME" >&2
		else
			apply_setting clear proxy.bypass || printf '%s: error: could not clear proxy.bypass again\n' "$SCRIPT_NAME" >&2
		fi
	fi
	if ((${#CHANGED_TARGETS[@]} + ${#CREATED_DIRS[@]} > 0)); then
		roll_back_files
		systemctl daemon-reload 2>/dev/null || printf '%s: error: systemctl daemon-reload failed after rolling back\n' "$SCRIPT_NAME" >&2
	fi
	AGENT_TOUCHED=0
}

# die CODE MESSAGE: one line on stderr (plus any roll-back failure), every change undone, exit
# CODE. Never pass it a value that came from the caller: it may hold a credential.
die() {
	local code=$1
	shift
	if ((AGENT_TOUCHED || ${#CHANGED_TARGETS[@]} + ${#CREATED_DIRS[@]} > 0)); then
		roll_back
		printf '%s: error: %s (the previous proxy settings were put back)\n' "$SCRIPT_NAME" "$*" >&2
	else
		printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2
	fi
	exit "$code"
}

# ---- input checks (exit 2) ----

# Sets ARC_BYPASS: ARC_PROXY_BYPASS trimmed, without empty entries or repeats.
normalize_arc_bypass() {
	local raw=${ARC_PROXY_BYPASS:-} entry out="" allowed ok
	local fix="set ARC_PROXY_BYPASS to a comma-separated list of ${ALLOWED_BYPASS[*]} (exact case), or leave it empty"
	local -a entries
	[[ $raw != *$'\n'* ]] || die 2 "ARC_PROXY_BYPASS must be one line; $fix"
	IFS=',' read -r -a entries <<<"$raw"
	for entry in ${entries[@]+"${entries[@]}"}; do
		entry=$(trim "$entry")
		[[ -n $entry ]] || continue
		ok=0
		for allowed in "${ALLOWED_BYPASS[@]}"; do
			[[ $entry == "$allowed" ]] && ok=1
		done
		((ok)) || die 2 "ARC_PROXY_BYPASS has a value azcmagent does not know; $fix"
		[[ ",$out," == *",$entry,"* ]] || out+=${out:+,}$entry
	done
	ARC_BYPASS=$out
}

validate_other_inputs() {
	MODE=${ARC_MODE:-apply}
	[[ $MODE == apply || $MODE == verify ]] || die 2 "ARC_MODE must be apply or verify"
	VERIFY_WAIT=${ARC_VERIFY_WAIT_SECONDS:-180}
	if [[ ! $VERIFY_WAIT =~ ^[1-9][0-9]{0,2}$ ]] || ((VERIFY_WAIT > 600)); then
		die 2 "ARC_VERIFY_WAIT_SECONDS must be a whole number of seconds from 1 to 600"
	fi
	validate_route_check
}

# ---- the agent's settings, as JSON ----

find_agent() {
	AGENT=$(command -v azcmagent || true)
	if [[ -z $AGENT && -x /opt/azcmagent/bin/azcmagent ]]; then
		AGENT=/opt/azcmagent/bin/azcmagent
	fi
	[[ -n $AGENT ]] || die 1 "azcmagent was not found (PATH or /opt/azcmagent/bin); install and connect the Azure Connected Machine agent first"
	find_python
	[[ -n $PYTHON ]] ||
		die 1 "reading the agent's settings (azcmagent config list --json) needs python3 (or /usr/libexec/platform-python); neither was found - install python3 and run again"
}

# Sets GOT_URL and GOT_BYPASS (values sorted, comma-joined) from `config list --json`, whose
# LocalSettings array holds {Key, Value} pairs; a Value may be a string or a list of strings.
read_settings() {
	local line bad="azcmagent config list --json did not print the LocalSettings list this script reads"
	"$AGENT" config list --json >"$WORK/config.json" 2>/dev/null || die 1 "azcmagent config list --json failed"
	"$PYTHON" - "$WORK/config.json" >"$WORK/settings" 2>/dev/null <<'PY' || die 1 "$bad"
import json
import sys

with open(sys.argv[1], encoding="utf-8") as handle:
    data = json.load(handle)
settings = data["LocalSettings"]
if not isinstance(settings, list):
    sys.exit(1)
values = {}
for item in settings:
    values[item["Key"]] = item.get("Value")

def text(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(sorted(str(v) for v in value if str(v)))
    if isinstance(value, str):
        return ",".join(sorted(v for v in value.split(",") if v)) if "," in value else value
    sys.exit(1)

print("%s\t%s" % (text(values.get("proxy.url")).rstrip("/"), text(values.get("proxy.bypass"))))
PY
	line=$(cat -- "$WORK/settings") || die 1 "$bad"
	[[ $line == *$'\t'* ]] || die 1 "$bad"
	GOT_URL=${line%%$'\t'*}
	GOT_BYPASS=${line#*$'\t'}
}

sorted_set() {
	local -a items
	[[ -n $1 ]] || return 0
	IFS=',' read -r -a items <<<"$1"
	printf '%s\n' ${items[@]+"${items[@]}"} | LC_ALL=C sort -u | paste -sd, -
}

# apply_setting set|clear PROPERTY [VALUE]: one azcmagent call, in a transient unit of its own
# when systemd runs (see the header), checked.
apply_setting() {
	local verb=$1 property=$2
	shift 2
	if systemd_running && command -v systemd-run >/dev/null; then
		systemd-run --scope --description="defender-servers: azcmagent config $verb $property" \
			"$AGENT" config "$verb" "$property" "$@" >/dev/null 2>&1
	else
		"$AGENT" config "$verb" "$property" "$@" >/dev/null 2>&1
	fi
}

# @include linux/route-check.sh

# ---- the route through the new proxy, before anything is committed ----

proxy_port_open() {
	# shellcheck disable=SC2016 # the single-quoted script is for the inner bash; its $1.. are its arguments
	timeout "$ROUTE_TIMEOUT" bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$PROXY_HOST" "$PROXY_PORT" 2>/dev/null
}

preflight_route() {
	if ((${#ROUTE_HOSTS[@]} == 0)); then
		proxy_port_open || die 1 "the proxy in PROXY_URL does not accept connections; nothing was changed (the agent would lose Azure)"
		echo "checked: the proxy accepts connections (no ROUTE_CHECK_HOSTS given to prove the Arc hosts)"
		return 0
	fi
	# Nothing is changed yet: a failure here leaves the agent on its current proxy.
	route_check
	echo "checked: the new proxy reaches ${#ROUTE_HOSTS[@]} Arc host(s)"
}

# ---- the extension service's drop-in ----

render_dropin() {
	local var value
	{
		echo "# $MARK: proxy for the Arc extension"
		echo "# service and the extensions it installs, such as MDE.Linux. Changes here are overwritten."
		echo "[Service]"
		for var in "${PROXY_VARS[@]}"; do
			value=$(expected_value "$var")
			echo "Environment=$var=$value"
		done
	} >"$1" || die 1 "cannot write in the scratch directory"
}

# @include linux/systemd.sh

# ---- modes ----

apply() {
	local got_url got_bypass want_bypass
	read_settings
	got_url=$GOT_URL
	got_bypass=$GOT_BYPASS
	want_bypass=$(sorted_set "$ARC_BYPASS")
	OLD_URL=$got_url
	OLD_BYPASS=$got_bypass

	find_unit "$EXT_UNIT" || die 1 "$EXT_UNIT was not found: this agent has no extension service to give the proxy to (agent too old or not installed)"
	refuse_if_masked "$DROPIN"
	systemd_running || die 1 "systemd is not running: the extension service's proxy cannot be set or read back"

	preflight_route

	render_dropin "$WORK/dropin"
	put_file "$DROPIN" "$WORK/dropin" || true
	reload_if_needed "$EXT_UNIT" || die 1 "systemctl daemon-reload failed"
	unit_environment_ok "$EXT_UNIT" || die 1 "systemd reports another proxy environment for $EXT_UNIT than $SCRIPT_NAME wrote (something else sets it); run 'systemctl cat $EXT_UNIT' to find it"
	echo "verified: systemctl show -p Environment $EXT_UNIT has the proxy"

	local agent_changed=0
	if [[ $got_url == "$PROXY_URL" ]]; then
		echo "unchanged: azcmagent proxy.url is $PROXY_URL"
	else
		AGENT_TOUCHED=1
		agent_changed=1
		apply_setting set proxy.url "$PROXY_URL" || die 1 "azcmagent config set proxy.url failed"
		echo "changed: azcmagent proxy.url -> $PROXY_URL"
	fi
	if [[ $got_bypass == "$want_bypass" ]]; then
		echo "unchanged: azcmagent proxy.bypass is '$ARC_BYPASS'"
	else
		AGENT_TOUCHED=1
		agent_changed=1
		if [[ -z $ARC_BYPASS ]]; then
			apply_setting clear proxy.bypass || die 1 "azcmagent config clear proxy.bypass failed"
			echo "changed: azcmagent proxy.bypass -> cleared"
		else
			apply_setting set proxy.bypass "$ARC_BYPASS" || die 1 "azcmagent config set proxy.bypass failed"
			echo "changed: azcmagent proxy.bypass -> $ARC_BYPASS"
		fi
	fi

	if ((agent_changed)); then
		read_settings
		[[ $GOT_URL == "$PROXY_URL" ]] || die 1 "azcmagent config list --json reports another proxy.url than was set"
		[[ $GOT_BYPASS == "$want_bypass" ]] || die 1 "azcmagent config list --json reports another proxy.bypass than was set"
		echo "verified: azcmagent config list --json has proxy.url and proxy.bypass as set"
	fi

	# Committed: from here a failure must not undo the agent's verified settings nor the drop-in.
	AGENT_TOUCHED=0
	CHANGED_TARGETS=()
	CREATED_DIRS=()
	# Decided from the running service, not from what this run wrote: a run killed between the
	# drop-in and this point is completed by the next one.
	if running_environment_ok "$EXT_UNIT"; then
		echo "verified: the running $EXT_UNIT has the proxy in its environment"
	elif unit_active "$EXT_UNIT"; then
		schedule_restart "$EXT_UNIT" "$EXTD_RESTART_DELAY_SECONDS" || die 1 "could not schedule the restart of $EXT_UNIT with systemd-run"
		echo "scheduled: restart of $EXT_UNIT in ${EXTD_RESTART_DELAY_SECONDS}s (systemd-run); the verify step waits for it"
	else
		echo "note: $EXT_UNIT is not running; it loads the proxy when it starts"
	fi
	echo "done: Azure Arc agent proxy is $PROXY_URL"
}

verify() {
	local want_bypass
	read_settings
	want_bypass=$(sorted_set "$ARC_BYPASS")
	[[ $GOT_URL == "$PROXY_URL" ]] || die 1 "azcmagent proxy.url is not this proxy (azcmagent config list --json); run the apply step again"
	[[ $GOT_BYPASS == "$want_bypass" ]] || die 1 "azcmagent proxy.bypass is not the requested list (azcmagent config list --json); run the apply step again"
	echo "verified: azcmagent config list --json has proxy.url and proxy.bypass"
	unit_environment_ok "$EXT_UNIT" || die 1 "systemctl show -p Environment $EXT_UNIT does not have the proxy; run the apply step again"
	wait_for_running_environment "$EXT_UNIT" "$VERIFY_WAIT" ||
		die 1 "the running $EXT_UNIT still has no proxy environment after ${VERIFY_WAIT}s (it was not restarted); restart it and run again"
	echo "verified: the running $EXT_UNIT has the proxy in its environment"
	echo "done: Azure Arc agent proxy verified as $PROXY_URL"
}

main() {
	validate_proxy_url
	normalize_arc_bypass
	normalize_bypass
	validate_other_inputs
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/defender-servers-arc-proxy.XXXXXX") || die 1 "cannot create a scratch directory under ${TMPDIR:-/tmp}"
	trap cleanup EXIT
	find_agent
	if [[ $MODE == verify ]]; then
		verify
	else
		apply
	fi
}

main "$@"
