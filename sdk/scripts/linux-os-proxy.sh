#!/bin/bash
# linux-os-proxy.sh - put the operating-system proxy in place for Microsoft Defender for
# Endpoint (MDE) on a Linux machine, before MDE is switched on in Defender for Servers.
#
# Run as root through Azure Run Command. Named run-command parameters arrive as
# environment variables (a parameter with an empty value is not set at all):
#   PROXY_URL  required  http://host:port - plain http, a port, no user:password@, no path
#   PROXY_BYPASS optional comma-separated bypass list (host, .domain, IPv4, CIDR); may be empty.
#              (Not called NO_PROXY: an empty parameter is not set at all, and this script
#              would then inherit the NO_PROXY that its own drop-in gives the agent.)
#   ROOT       optional  prefix for every file path this script touches (tests only)
#
# What it does, idempotently (a file is rewritten, and a service told, only on a real change):
#   a. Azure Linux Agent: a systemd drop-in with the proxy environment for walinuxagent.service
#      (Ubuntu/Debian) or waagent.service (most others); the MDE.Linux extension is installed by
#      processes that agent starts, and /etc/environment does not always reach them.
#   b. The package manager(s) present (apt, dnf, yum, zypper): MDE.Linux installs the sensor
#      through them, and their (install-time) proxy is configured apart from MDE's own.
#   c. MDE's managed configuration: cloudService.proxy in mdatp_managed.json (run-time proxy).
# No credentials are ever accepted or printed: none of these agents supports authenticated
# proxies.
set -euo pipefail

readonly SCRIPT_NAME=linux-os-proxy.sh
# Seconds before the delayed restart of the Azure Linux Agent (see schedule_agent_restart).
readonly RESTART_DELAY_SECONDS=30
readonly UNIT_DIRS=(/etc/systemd/system /lib/systemd/system /usr/lib/systemd/system)

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
	[[ $url == http://* ]] || die 2 "PROXY_URL must use the http:// scheme (the agents talk plain HTTP to the proxy); $fix"
	rest=${url#http://}
	[[ $rest != *@* ]] || die 2 "PROXY_URL must not carry credentials (the agents do not support authenticated proxies); $fix"
	[[ $rest != */* && $rest != *'?'* && $rest != *'#'* ]] || die 2 "PROXY_URL must not have a path, query or fragment; $fix"
	[[ $rest == *:* ]] || die 2 "PROXY_URL has no port; $fix"
	host=${rest%:*}
	port=${rest##*:}
	[[ $host =~ $host_re ]] || die 2 "PROXY_URL host must be a DNS name or an IPv4 address; $fix"
	if [[ ! $port =~ ^[1-9][0-9]{0,4}$ ]] || ((port > 65535)); then
		die 2 "PROXY_URL port must be a number from 1 to 65535; $fix"
	fi
}

# Prints PROXY_BYPASS normalised (entries trimmed, empty ones dropped, joined by commas).
normalize_no_proxy() {
	local raw=${PROXY_BYPASS:-} entry out=""
	local -a entries
	IFS=',' read -r -a entries <<<"$raw"
	[[ $raw != *$'\n'* ]] || die 2 "PROXY_BYPASS must be one line; set PROXY_BYPASS to a comma-separated list such as localhost,127.0.0.1,.contoso.com"
	for entry in "${entries[@]}"; do
		entry=${entry#"${entry%%[![:space:]]*}"}
		entry=${entry%"${entry##*[![:space:]]}"}
		[[ -n $entry ]] || continue
		[[ $entry =~ ^[A-Za-z0-9._*:/-]+$ ]] ||
			die 2 "PROXY_BYPASS has an entry with characters other than letters, digits and . _ * : / -; set PROXY_BYPASS to a comma-separated list such as localhost,127.0.0.1,.contoso.com"
		out+=${out:+,}$entry
	done
	printf '%s' "$out"
}

# same_content A B: true when both files exist and hold the same bytes (text files).
same_content() {
	local a b
	[[ -f $1 && -f $2 ]] || return 1
	a=$(
		cat -- "$1"
		printf x
	)
	b=$(
		cat -- "$2"
		printf x
	)
	[[ $a == "$b" ]]
}

# put_file TARGET CANDIDATE: makes TARGET hold CANDIDATE's content. Returns 0 when it changed
# TARGET, 1 when TARGET already held it. An existing file is rewritten in place, which keeps its
# owner, mode, SELinux label and - for /etc/yum.conf -> dnf/dnf.conf - the symlink itself.
# The previous content is kept in $WORK so that restore_file can undo the change.
put_file() {
	local target=$1 candidate=$2
	if same_content "$candidate" "$target"; then
		echo "unchanged: $target"
		return 1
	fi
	BACKUP_SEQ=$((BACKUP_SEQ + 1))
	if [[ -e $target ]]; then
		cp -- "$target" "$WORK/backup.$BACKUP_SEQ"
		cat -- "$candidate" >"$target"
	else
		mkdir -p -- "$(dirname -- "$target")"
		install -m 0644 -- "$candidate" "$target"
	fi
	LAST_BACKUP=$WORK/backup.$BACKUP_SEQ
	echo "changed: $target"
	return 0
}

# restore_file TARGET: undoes the last put_file on TARGET, so that a later run tries again.
restore_file() {
	local target=$1
	if [[ -f $LAST_BACKUP ]]; then
		cat -- "$LAST_BACKUP" >"$target"
	else
		rm -f -- "$target"
	fi
}

find_unit() {
	local unit=$1 dir
	for dir in "${UNIT_DIRS[@]}"; do
		[[ -e $ROOT$dir/$unit ]] && return 0
	done
	return 1
}

# ---- candidates (computed in $WORK, nothing on the machine changes while they are built) ----

render_agent_dropin() {
	local out=$1
	{
		echo "# Written by defender-servers (linux-os-proxy.sh): proxy for the Azure Linux Agent"
		echo "# and the extensions it runs, such as MDE.Linux. Changes here are overwritten."
		echo "[Service]"
		echo "Environment=http_proxy=$PROXY_URL"
		echo "Environment=https_proxy=$PROXY_URL"
		echo "Environment=no_proxy=$BYPASS"
		echo "Environment=HTTP_PROXY=$PROXY_URL"
		echo "Environment=HTTPS_PROXY=$PROXY_URL"
		echo "Environment=NO_PROXY=$BYPASS"
	} >"$out"
}

render_apt() {
	local out=$1 entry
	local -a entries
	{
		echo "// Written by defender-servers (linux-os-proxy.sh): proxy for package downloads."
		echo "Acquire::http::Proxy \"$PROXY_URL\";"
		echo "Acquire::https::Proxy \"$PROXY_URL\";"
		# apt has no NO_PROXY list; it can only send single hosts DIRECT. Domain suffixes
		# (.contoso.com), wildcards and CIDR ranges have no apt equivalent and are skipped.
		IFS=',' read -r -a entries <<<"$BYPASS"
		for entry in "${entries[@]}"; do
			[[ $entry =~ ^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$ ]] || continue
			echo "Acquire::http::Proxy::$entry \"DIRECT\";"
			echo "Acquire::https::Proxy::$entry \"DIRECT\";"
		done
	} >"$out"
}

# render_ini_main_proxy SOURCE OUT: SOURCE with proxy=<url> in its [main] section. Every
# proxy= line of [main] is replaced; without one, the line goes after the last setting of
# [main]; without [main], a [main] section is appended. All other lines are kept as they are.
render_ini_main_proxy() {
	local src=$1 out=$2
	[[ -e $src ]] || src=/dev/null
	awk -v line="proxy=$PROXY_URL" '
		function is_header(s) { return s ~ /^[[:space:]]*\[[^]]*\][[:space:]]*$/ }
		function is_main(s) { return s ~ /^[[:space:]]*\[[[:space:]]*main[[:space:]]*\][[:space:]]*$/ }
		function is_proxy(s) { return s ~ /^[[:space:]]*proxy[[:space:]]*=/ }
		function is_setting(s) { return s !~ /^[[:space:]]*$/ && s !~ /^[[:space:]]*[#;]/ }
		NR == FNR {
			if (is_header($0)) { in_main = is_main($0); if (in_main) { has_main = 1; last = FNR } }
			else if (in_main) { if (is_proxy($0)) has_proxy = 1; if (is_setting($0)) last = FNR }
			lines = FNR; final = $0
			next
		}
		{
			if (is_header($0)) in_main = is_main($0)
			if (in_main && is_proxy($0)) print line; else print
			if (has_main && !has_proxy && FNR == last) print line
		}
		END {
			if (!has_main) {
				if (lines > 0 && final !~ /^[[:space:]]*$/) print ""
				print "[main]"
				print line
			}
		}
	' "$src" "$src" >"$out"
}

# render_env_file SOURCE OUT KEY=VALUE...: SOURCE with each KEY=VALUE line in place (VALUE
# as given, quotes included). Every assignment of KEY is replaced, a missing one is appended,
# other lines are kept. The pairs hold no spaces (PROXY_URL and PROXY_BYPASS are checked first).
render_env_file() {
	local src=$1 out=$2
	shift 2
	[[ -e $src ]] || src=/dev/null
	awk -v spec="$*" '
		BEGIN {
			n = split(spec, pairs, " ")
			for (i = 1; i <= n; i++) {
				key[i] = substr(pairs[i], 1, index(pairs[i], "=") - 1)
			}
		}
		{
			for (i = 1; i <= n; i++) {
				if ($0 ~ ("^[[:space:]]*" key[i] "[[:space:]]*=")) { print pairs[i]; seen[i] = 1; next }
			}
			print
		}
		END { for (i = 1; i <= n; i++) if (!seen[i]) print pairs[i] }
	' "$src" >"$out"
}

# render_mdatp_json SOURCE OUT: merges cloudService.proxy into SOURCE. Exit 0: OUT written;
# 3: SOURCE already has that value; anything else: SOURCE cannot be used (message on stderr).
render_mdatp_json() {
	python3 - "$1" "$2" "$PROXY_URL/" <<'PY'
# Kept to Python 3.4 features (SLES 12); OrderedDict keeps the file's key order on old Pythons.
import collections
import json
import os
import sys

source, out, proxy = sys.argv[1:4]
data = collections.OrderedDict()
if os.path.exists(source):
    with open(source, encoding="utf-8") as handle:
        text = handle.read()
    if text.strip():
        try:
            data = json.loads(text, object_pairs_hook=collections.OrderedDict)
        except ValueError as err:
            sys.exit("%s is not valid JSON (%s); fix or remove it - it was left untouched" % (source, err))
if not isinstance(data, dict):
    sys.exit("%s does not hold a JSON object; fix or remove it - it was left untouched" % source)
cloud = data.setdefault("cloudService", collections.OrderedDict())
if not isinstance(cloud, dict):
    sys.exit("%s: cloudService is not a JSON object; fix it - it was left untouched" % source)
if cloud.get("proxy") == proxy:
    sys.exit(3)
cloud["proxy"] = proxy
with open(out, "w", encoding="utf-8") as handle:
    json.dump(data, handle, indent=2, ensure_ascii=False)
    handle.write("\n")
PY
}

# ---- the Azure Linux Agent restart ----

# This script is itself run by the Azure Linux Agent (Run Command is one of its extensions),
# so restarting the agent directly could kill this script and lose its result. systemd-run
# starts the restart as a transient timer and service of its own, outside the agent's cgroup,
# a little later: by then this script has ended and its status has been reported.
schedule_agent_restart() {
	local unit=$1 systemctl_path
	systemctl_path=$(command -v systemctl) || return 1
	command -v systemd-run >/dev/null || return 1
	systemd-run --on-active="${RESTART_DELAY_SECONDS}s" \
		--description="defender-servers: restart $unit to apply its proxy" \
		"$systemctl_path" restart "$unit"
}

main() {
	ROOT=${ROOT:-}
	validate_proxy_url
	BYPASS=$(normalize_no_proxy)
	BACKUP_SEQ=0
	LAST_BACKUP=

	WORK=$(mktemp -d "${TMPDIR:-/tmp}/defender-servers-os-proxy.XXXXXX")
	trap 'rm -rf -- "$WORK"' EXIT

	# -- preflight: find and check everything before changing anything --
	local agent_unit=""
	if find_unit walinuxagent.service; then
		agent_unit=walinuxagent.service
	elif find_unit waagent.service; then
		agent_unit=waagent.service
	fi

	local apt_file="$ROOT/etc/apt/apt.conf.d/95defender-servers-proxy"
	local dnf_conf="$ROOT/etc/dnf/dnf.conf"
	local yum_conf="$ROOT/etc/yum.conf"
	local suse_proxy="$ROOT/etc/sysconfig/proxy"
	local -a managers=()
	[[ -d $ROOT/etc/apt ]] && managers+=(apt)
	[[ -f $dnf_conf ]] && managers+=(dnf)
	[[ -f $yum_conf ]] && managers+=(yum)
	[[ -e $suse_proxy || -d $ROOT/etc/zypp ]] && managers+=(zypper)
	((${#managers[@]} > 0)) ||
		die 1 "no supported package manager found (looked for $ROOT/etc/apt, $dnf_conf, $yum_conf, $ROOT/etc/zypp); MDE.Linux installs through one of apt, dnf, yum or zypper"

	command -v python3 >/dev/null ||
		die 1 "python3 is required to merge the MDE managed configuration (JSON) and was not found on PATH; install python3 and run again"

	local mdatp_json="$ROOT/etc/opt/microsoft/mdatp/managed/mdatp_managed.json"
	local mdatp_rc=0
	render_mdatp_json "$mdatp_json" "$WORK/mdatp.json" || mdatp_rc=$?
	((mdatp_rc == 0 || mdatp_rc == 3)) || die 1 "cannot merge cloudService.proxy into $mdatp_json (see the message above)"

	# -- b. package managers --
	local manager
	for manager in "${managers[@]}"; do
		case $manager in
		apt)
			render_apt "$WORK/apt"
			put_file "$apt_file" "$WORK/apt" || true
			;;
		dnf)
			render_ini_main_proxy "$dnf_conf" "$WORK/dnf"
			put_file "$dnf_conf" "$WORK/dnf" || true
			;;
		yum)
			# On RHEL 8 and later /etc/yum.conf is a symlink to dnf/dnf.conf, done just above.
			if [[ " ${managers[*]} " == *" dnf "* && $yum_conf -ef $dnf_conf ]]; then
				echo "unchanged: $yum_conf (same file as $dnf_conf)"
				continue
			fi
			render_ini_main_proxy "$yum_conf" "$WORK/yum"
			put_file "$yum_conf" "$WORK/yum" || true
			;;
		zypper)
			render_env_file "$suse_proxy" "$WORK/suse-proxy" \
				'PROXY_ENABLED="yes"' "HTTP_PROXY=\"$PROXY_URL\"" "HTTPS_PROXY=\"$PROXY_URL\"" "NO_PROXY=\"$BYPASS\""
			put_file "$suse_proxy" "$WORK/suse-proxy" || true
			;;
		esac
	done

	# -- c. MDE managed configuration (run-time proxy of the sensor) --
	if ((mdatp_rc == 3)); then
		echo "unchanged: $mdatp_json (cloudService.proxy is already $PROXY_URL/)"
	else
		put_file "$mdatp_json" "$WORK/mdatp.json" >/dev/null || true
		echo "changed: $mdatp_json (cloudService.proxy = $PROXY_URL/)"
	fi

	# -- a. Azure Linux Agent, last: its restart is the one disruptive step --
	if [[ -z $agent_unit ]]; then
		echo "note: no walinuxagent.service or waagent.service unit found (an Azure Arc machine?); agent drop-in skipped"
	else
		# The seed article puts this drop-in under /lib/systemd/system/<unit>.d/. That tree
		# belongs to the distribution's packages; /etc/systemd/system/<unit>.d/ is the place
		# for the administrator's own drop-ins and survives package upgrades. Using the same
		# file name, 13-Proxy.conf, also overrides a copy made by hand under /lib.
		local dropin="$ROOT/etc/systemd/system/$agent_unit.d/13-Proxy.conf"
		render_agent_dropin "$WORK/dropin"
		if put_file "$dropin" "$WORK/dropin"; then
			if ! systemctl daemon-reload; then
				restore_file "$dropin"
				die 1 "systemctl daemon-reload failed; $dropin was put back as it was so a new run tries again"
			fi
			if ! schedule_agent_restart "$agent_unit"; then
				restore_file "$dropin"
				systemctl daemon-reload || true
				die 1 "could not schedule the restart of $agent_unit with systemd-run; $dropin was put back as it was so a new run tries again"
			fi
			echo "scheduled: restart of $agent_unit in ${RESTART_DELAY_SECONDS}s (systemd-run), to load the new proxy"
		fi
	fi
	echo "done: operating-system proxy for Defender for Endpoint is $PROXY_URL"
}

main "$@"
