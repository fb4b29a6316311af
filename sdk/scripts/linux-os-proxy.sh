#!/bin/bash
# linux-os-proxy.sh - put the operating-system proxy in place for Microsoft Defender for
# Endpoint (MDE) on a Linux machine, before MDE is switched on in Defender for Servers.
#
# Run as root through Azure Run Command. Named run-command parameters arrive as environment
# variables (a parameter with an empty value is not set at all):
#   PROXY_URL      required  http://host:port - plain http, a port, no user:password@, no path
#   PROXY_BYPASS   optional  comma-separated bypass list (host, .domain, IPv4, CIDR); at most
#                            MAX_BYPASS_ENTRIES entries of MAX_BYPASS_ENTRY_CHARS characters and
#                            MAX_BYPASS_CHARS in all. 168.63.129.16 (wire server), 169.254.169.254
#                            (instance metadata), localhost and 127.0.0.1 are always added here.
#   ROUTE_CHECK_HOSTS          optional  comma-separated host:port, each proven through the proxy
#                                        after the proxy is in place: port 80 by an HTTP GET, any
#                                        other port by a TLS handshake checked against the trust
#                                        store; a host the bypass list sends direct fails
#   ROUTE_CHECK_PRIVATE_HOSTS  optional  comma-separated hosts that must resolve to private
#                                        addresses only (RFC 1918, fc00::/7): Private Link names
#   ROUTE_CHECK_TIMEOUT_SECONDS optional seconds per probe (1-60, default 10)
#   ROUTE_CHECK_TOTAL_SECONDS   optional seconds for all probes together (1-540, default 300)
#   OS_PROXY_MODE  optional  apply (default) or verify: the read-back after the agent's restart
#                            (a second run command), which waits until the RUNNING agent has the
#                            proxy in its environment (/proc/<MainPID>/environ)
#   OS_PROXY_VERIFY_WAIT_SECONDS optional, verify only: how long to wait (1-600, default 180)
#
# The script has no test hook: it always works on the real paths. The tests run it in a
# private mount namespace whose root is a scratch tree (test/scratchRoot.linux.ts), and
# in booted Debian machines (test/booted/).
#
# What it does, idempotently (a file is rewritten, and a service told, only on a real change):
#   a. Azure Linux Agent: a systemd drop-in with the proxy environment for walinuxagent.service
#      (Ubuntu/Debian) or waagent.service (elsewhere): Azure/WALinuxAgent setup.py installs
#      init/ubuntu/walinuxagent.service for Ubuntu and init/<distro>/waagent.service for the
#      others (the Debian package ships walinuxagent.service). The agent "passes its
#      environment to the VM Extensions it executes" (Azure/WALinuxAgent README.md, "HTTP
#      Proxy"), so MDE.Linux's installer and its package manager get the proxy from there.
#   b. apt: the proxy for packages.microsoft.com only (Acquire::http(s)::Proxy::<host>, see
#      apt-transport-http(1)), so the OS mirrors keep their own route. dnf and yum: a proxy=
#      line in each repository section that points at packages.microsoft.com; nothing global
#      (their [main] proxy= would send the OS mirrors to the proxy too). tdnf and zypper: nothing
#      written (no per-repository proxy is confirmed for tdnf; /etc/sysconfig/proxy is
#      system-wide); the agent's environment covers them.
#   c. MDE's managed configuration: cloudService.proxy in
#      /etc/opt/microsoft/mdatp/managed/mdatp_managed.json (defender-docs
#      defender-endpoint/linux-static-proxy-configuration.md), merged into an existing file.
# Settings that would win over these files are refused (exit 1, nothing changed): a
# HttpProxy.Host in /etc/waagent.conf that names another proxy (it "will override the
# http_proxy or https_proxy environment variables", WALinuxAgent README.md), a systemd drop-in
# or EnvironmentFile that sets another proxy after ours, a global [main] proxy= of another
# proxy in dnf/yum/tdnf, an apt setting that overrides the packages.microsoft.com proxy.
# After writing, the effective values are read back (apt-config dump, systemctl show, the
# merged JSON) and compared; a mismatch puts every file back and exits 1.
#
# No credentials are ever accepted or printed: none of these agents supports authenticated
# proxies. Errors name variables and files, never the values given.
# shellcheck disable=SC2250 # brace style: variables are written $var, as in the other scripts
# shellcheck disable=SC2310 # functions called from conditions check every step themselves and end in die
set -euo pipefail

# @include linux/common.sh

readonly SCRIPT_NAME=linux-os-proxy.sh
readonly MARK="Written by defender-servers (linux-os-proxy.sh)"
# Seconds between the end of this script and the restart of the Azure Linux Agent (see
# schedule_agent_restart for why the restart is detached and why the result is still true).
readonly RESTART_DELAY_SECONDS=10
readonly MS_PACKAGES_HOST=packages.microsoft.com

# @include linux/files.sh

# die CODE MESSAGE: one line on stderr, every change undone, exit CODE. Never pass it a value
# that came from the caller or from a file: it may hold a credential.
die() {
	local code=$1
	shift
	if ((${#CHANGED_TARGETS[@]} + ${#CREATED_DIRS[@]} > 0)); then
		roll_back_files
		if ((${RELOADED:-0})); then
			systemctl daemon-reload >/dev/null 2>&1 || printf '%s: error: systemctl daemon-reload failed after rolling back\n' "$SCRIPT_NAME" >&2
		fi
		printf '%s: error: %s (every file this run changed was put back)\n' "$SCRIPT_NAME" "$*" >&2
	else
		printf '%s: error: %s\n' "$SCRIPT_NAME" "$*" >&2
	fi
	exit "$code"
}

# ---- Azure Linux Agent: drop-ins ----


render_agent_dropin() {
	local out=$1 var value
	{
		echo "# $MARK: proxy for the Azure Linux Agent"
		echo "# and the extensions it runs, such as MDE.Linux. Changes here are overwritten."
		echo "[Service]"
		for var in "${PROXY_VARS[@]}"; do
			value=$PROXY_URL
			[[ $var != [nN][oO]_* ]] || value=$BYPASS
			echo "Environment=$var=$value"
		done
	} >"$out" || die 1 "cannot write in the scratch directory"
}

# Prints, in the order systemd applies them, the drop-in files of UNIT (one per name, the
# highest-priority directory winning; service.d/ drop-ins apply to every service). See
# systemd.unit(5): drop-ins from all directories are sorted by file name, and a file in a
# higher-priority directory replaces one of the same name.
dropins_in_order() {
	local unit=$1 dir file name
	local -A seen=()
	local -a names=()
	for dir in "${UNIT_DIRS[@]}"; do
		for file in "$dir/service.d"/*.conf "$dir/$unit.d"/*.conf; do
			[[ -f $file ]] || continue
			name=${file##*/}
			[[ -z ${seen[$name]+x} ]] || continue
			seen[$name]=$file
			names+=("$name")
		done
	done
	((${#names[@]} > 0)) || return 0
	printf '%s\n' ${names[@]+"${names[@]}"} | LC_ALL=C sort | while IFS= read -r name; do
		printf '%s\n' "${seen[$name]}"
	done
}

# Prints the names of the proxy variables that FILE (a unit file or drop-in) assigns, resets or
# unsets, with what it does: "set VAR VALUE", "reset" (an empty Environment=), "unset VAR",
# "file PATH" (EnvironmentFile=). Only [Service] lines count.
environment_lines() {
	awk '
		/^[[:space:]]*\[/ { in_service = ($0 ~ /^[[:space:]]*\[Service\]/); next }
		!in_service { next }
		/^[[:space:]]*Environment[[:space:]]*=/ {
			line = $0; sub(/^[^=]*=[[:space:]]*/, "", line)
			if (line ~ /^[[:space:]]*$/) { print "reset"; next }
			n = split(line, words, /[[:space:]]+/)
			for (i = 1; i <= n; i++) {
				w = words[i]; gsub(/"/, "", w)
				if (index(w, "=") == 0) continue
				print "set " substr(w, 1, index(w, "=") - 1) " " substr(w, index(w, "=") + 1)
			}
			next
		}
		/^[[:space:]]*UnsetEnvironment[[:space:]]*=/ {
			line = $0; sub(/^[^=]*=[[:space:]]*/, "", line)
			n = split(line, words, /[[:space:]]+/)
			for (i = 1; i <= n; i++) if (words[i] != "") print "unset " words[i]
			next
		}
		/^[[:space:]]*EnvironmentFile[[:space:]]*=/ {
			line = $0; sub(/^[^=]*=[[:space:]]*/, "", line); sub(/^-/, "", line); gsub(/[[:space:]]+$/, "", line)
			print "file " line
		}
	' "$1"
}

is_proxy_var() {
	local var
	for var in "${PROXY_VARS[@]}"; do
		[[ $1 == "$var" ]] && return 0
	done
	return 1
}

# check_dropin_conflicts UNIT OURS: fails when a drop-in applied after OURS, or an
# EnvironmentFile= of the unit (its values win over Environment=, systemd.exec(5)), gives a
# proxy variable another value, resets the environment or unsets a proxy variable.
check_dropin_conflicts() {
	local unit=$1 ours=$2 file after=0 action var value envfile unit_file dir
	local -a sources=()
	for dir in "${UNIT_DIRS[@]}"; do
		if [[ -f $dir/$unit ]]; then
			unit_file=$dir/$unit
			break
		fi
	done
	[[ -z ${unit_file:-} ]] || sources+=("$unit_file")
	local ordered lines want
	ordered=$(dropins_in_order "$unit")
	while IFS= read -r file; do
		[[ -z $file ]] || sources+=("$file")
	done <<<"$ordered"
	for file in ${sources[@]+"${sources[@]}"}; do
		if [[ ${file##*/} == "${ours##*/}" ]]; then
			after=1
			continue
		fi
		lines=$(environment_lines "$file")
		while read -r action var value; do
			case $action in
			set)
				want=$(expected_value "$var")
				if ((after)) && is_proxy_var "$var" && [[ $value != "$want" ]]; then
					die 1 "$file sets $var for $unit after $ours, so the agent would not use this proxy; remove it there (or give it this proxy) and run again"
				fi
				;;
			reset)
				if ((after)); then
					die 1 "$file resets the environment of $unit after $ours; remove that Environment= line and run again"
				fi
				;;
			unset)
				if is_proxy_var "${var%%=*}"; then
					die 1 "$file unsets ${var%%=*} for $unit; remove that UnsetEnvironment= and run again"
				fi
				;;
			file)
				envfile=${var}
				[[ -f $envfile ]] || continue
				for var in "${PROXY_VARS[@]}"; do
					if grep -Eq "^[[:space:]]*(export[[:space:]]+)?$var=" -- "$envfile"; then
						die 1 "$envfile (EnvironmentFile= of $unit, which wins over Environment=) sets $var; remove it there and run again"
					fi
				done
				;;
			*) ;;
			esac
		done <<<"$lines"
	done
	return 0
}

# The agent's own proxy in /etc/waagent.conf overrides the environment (WALinuxAgent README.md,
# "HttpProxy.Host, HttpProxy.Port"). Accepted only when it names this very proxy.
check_waagent_conf() {
	local conf=/etc/waagent.conf host port
	[[ -f $conf ]] || return 0
	host=$(sed -n 's/^[[:space:]]*HttpProxy\.Host[[:space:]]*=[[:space:]]*\([^[:space:]#]*\).*/\1/p' -- "$conf" | tail -n 1)
	port=$(sed -n 's/^[[:space:]]*HttpProxy\.Port[[:space:]]*=[[:space:]]*\([^[:space:]#]*\).*/\1/p' -- "$conf" | tail -n 1)
	[[ -n $host && $host != None ]] || return 0
	if [[ $host != "$PROXY_HOST" || $port != "$PROXY_PORT" ]]; then
		die 1 "$conf sets HttpProxy.Host/HttpProxy.Port to another proxy, which overrides the agent's environment; set them to this proxy or to None and run again"
	fi
	echo "note: $conf already names this proxy in HttpProxy.Host/HttpProxy.Port"
}

# ---- package managers ----

render_apt() {
	{
		echo "// $MARK: proxy for Microsoft's packages only,"
		echo "// so that the operating system's own mirrors keep their route."
		echo "Acquire::http::Proxy::$MS_PACKAGES_HOST \"$PROXY_URL\";"
		echo "Acquire::https::Proxy::$MS_PACKAGES_HOST \"$PROXY_URL\";"
	} >"$1" || die 1 "cannot write in the scratch directory"
}

# apt-config dump prints the merged configuration of every apt.conf.d file and apt.conf.
read_back_apt() {
	local dump scheme key want got
	command -v apt-config >/dev/null || die 1 "apt-config was not found; cannot confirm the apt proxy"
	dump=$(apt-config dump 2>/dev/null) || die 1 "apt-config dump failed; an apt configuration file may be broken"
	for scheme in http https; do
		key="Acquire::$scheme::Proxy::$MS_PACKAGES_HOST"
		want="$key \"$PROXY_URL\";"
		got=$(grep -F -- "$key \"" <<<"$dump" | tail -n 1 || true)
		[[ $got == "$want" ]] ||
			die 1 "apt's effective $key is not this proxy: another file in /etc/apt/apt.conf.d or /etc/apt/apt.conf overrides it; remove it there and run again"
	done
	echo "verified: apt-config dump sends $MS_PACKAGES_HOST through the proxy"
}

# render_ini_proxy SOURCE OUT MODE: SOURCE with its proxy lines handled, all other lines kept.
#   MODE main: drops a proxy= line of [main] that names PROXY_URL (an earlier version of this
#              script wrote it there), with its proxy_username/proxy_password, and keeps the rest.
#   MODE ms:   sets proxy=PROXY_URL in every section whose baseurl, mirrorlist or metalink
#              points at packages.microsoft.com (replacing its proxy= line, or adding one).
render_ini_proxy() {
	local src=$1 out=$2 mode=$3
	awk -v url="$PROXY_URL" -v mode="$mode" -v host="$MS_PACKAGES_HOST" '
		function is_header(s) { return s ~ /^[[:space:]]*\[[^]]*\][[:space:]]*$/ }
		function key(s) { s2 = s; sub(/[[:space:]]*=.*/, "", s2); gsub(/^[[:space:]]+/, "", s2); return s2 }
		function value(s) { s2 = s; sub(/^[^=]*=[[:space:]]*/, "", s2); sub(/[[:space:]]+$/, "", s2); return s2 }
		function is_setting(s) { return s ~ /^[[:space:]]*[A-Za-z_]+[[:space:]]*=/ }
		NR == FNR {
			if (is_header($0)) { sec++; name[sec] = $0; next }
			if (!is_setting($0)) next
			k = key($0)
			if (k == "baseurl" || k == "mirrorlist" || k == "metalink") {
				if (index($0, "://" host "/") || index($0, "://" host ":") || value($0) ~ ("://" host "$")) ms[sec] = 1
			}
			if (k == "proxy" && value($0) == url) ours[sec] = 1
			last[sec] = FNR
			next
		}
		{
			if (is_header($0)) { sec2++; print; next }
			if (is_setting($0)) {
				k = key($0)
				if (mode == "main" && name[sec2] ~ /^[[:space:]]*\[[[:space:]]*main[[:space:]]*\]/ && ours[sec2] &&
				    (k == "proxy" || k == "proxy_username" || k == "proxy_password")) next
				if (mode == "ms" && ms[sec2] && k == "proxy") { if (!done[sec2]++) print "proxy=" url; next }
			}
			print
			if (mode == "ms" && ms[sec2] && FNR == last[sec2] && !done[sec2]++) print "proxy=" url
		}
	' "$src" "$src" >"$out" || die 1 "cannot write in the scratch directory"
}

# main_proxy FILE: the proxy= value of FILE's [main] section (empty when none).
main_proxy() {
	awk '
		/^[[:space:]]*\[/ { in_main = ($0 ~ /^[[:space:]]*\[[[:space:]]*main[[:space:]]*\]/); next }
		in_main && /^[[:space:]]*proxy[[:space:]]*=/ { v = $0; sub(/^[^=]*=[[:space:]]*/, "", v); sub(/[[:space:]]+$/, "", v); print v }
	' "$1" | tail -n 1
}

# check_rpm_main CONF: refuses a global [main] proxy= of another proxy (it wins over the
# agent's environment for every repository, the OS mirrors included).
check_rpm_main() {
	local conf=$1 current
	[[ -f $conf ]] || return 0
	current=$(main_proxy "$conf")
	if [[ -n $current && $current != _none_ && $current != "$PROXY_URL" ]]; then
		die 1 "$conf sets a global proxy= in [main] to another proxy, which wins over the agent's environment for every repository; remove it (or set it per repository) and run again"
	fi
	return 0
}

# configure_rpm_main CONF: removes the global proxy= an earlier version of this script wrote.
configure_rpm_main() {
	local conf=$1 current
	[[ -f $conf ]] || return 0
	current=$(main_proxy "$conf")
	[[ $current == "$PROXY_URL" ]] || return 0
	CANDIDATE_SEQ=$((CANDIDATE_SEQ + 1))
	render_ini_proxy "$conf" "$WORK/main.$CANDIDATE_SEQ" main
	if put_file "$conf" "$WORK/main.$CANDIDATE_SEQ" >/dev/null; then
		echo "changed: $conf (the global proxy= an earlier run wrote was removed; only Microsoft's repositories use the proxy now)"
	fi
	current=$(main_proxy "$conf")
	[[ -z $current ]] || die 1 "$conf still has a global proxy= after it was removed"
}

# Sets proxy= in the sections of /etc/yum.repos.d that serve packages.microsoft.com.
configure_ms_repositories() {
	local repo n=0
	for repo in /etc/yum.repos.d/*.repo; do
		[[ -f $repo ]] || continue
		grep -Eq "://$MS_PACKAGES_HOST([/:]|$)" -- "$repo" || continue
		n=$((n + 1))
		render_ini_proxy "$repo" "$WORK/repo.$n" ms
		put_file "$repo" "$WORK/repo.$n" || true
		grep -qxF "proxy=$PROXY_URL" -- "$repo" || die 1 "$repo does not hold proxy= for $MS_PACKAGES_HOST after writing it"
	done
	((n > 0)) || echo "note: no repository for $MS_PACKAGES_HOST yet; MDE.Linux's installer adds it and reaches it through the agent's proxy environment"
}

# zypper reads /etc/sysconfig/proxy, which is system-wide: refused when it names another proxy.
check_zypper() {
	local conf=/etc/sysconfig/proxy enabled https
	[[ -f $conf ]] || return 0
	enabled=$(sed -n 's/^[[:space:]]*PROXY_ENABLED[[:space:]]*=[[:space:]]*"\{0,1\}\([^"]*\)"\{0,1\}.*/\1/p' -- "$conf" | tail -n 1)
	https=$(sed -n 's/^[[:space:]]*HTTPS_PROXY[[:space:]]*=[[:space:]]*"\{0,1\}\([^"]*\)"\{0,1\}.*/\1/p' -- "$conf" | tail -n 1)
	[[ $enabled == yes && -n $https ]] || return 0
	[[ ${https%/} == "$PROXY_URL" ]] ||
		die 1 "$conf enables another system-wide HTTPS_PROXY, which zypper uses instead of the agent's environment; change it there and run again"
	echo "note: $conf already enables this proxy system-wide (left as it is)"
}

# ---- MDE managed configuration ----

# render_mdatp_json SOURCE OUT: merges cloudService.proxy into SOURCE. Exit 0: OUT written;
# 3: SOURCE already has that value; anything else: SOURCE cannot be used (message on stderr).
render_mdatp_json() {
	local source=$1 out=$2
	local want="$PROXY_URL/"
	# Nothing to merge (no file, or only what this script writes when there is nothing to
	# merge): no JSON tool needed. PROXY_URL was checked to hold no quote or backslash.
	if [[ ! -e $source ]] || is_own_mdatp_json "$source"; then
		printf '{\n  "cloudService": {\n    "proxy": "%s"\n  }\n}\n' "$want" >"$out" || return 1
		if [[ -e $source ]] && cmp -s -- "$out" "$source"; then
			return 3
		fi
		return 0
	fi
	[[ -f $source ]] || {
		echo "$source is not a regular file; remove or rename it" >&2
		return 1
	}
	find_python
	if [[ -z $PYTHON ]]; then
		echo "$source exists and must be merged, which needs python3 (or /usr/libexec/platform-python); neither was found - install python3 and run again" >&2
		return 1
	fi
	merge_with_python "$source" "$out" "$want"
}

# True when FILE holds only what render_mdatp_json writes on its own, whatever the proxy.
is_own_mdatp_json() {
	local got want
	[[ -f $1 ]] || return 1
	got=$(sed -E 's#^    "proxy": "http://[A-Za-z0-9.:-]+/"$#    "proxy": "URL"#' -- "$1") || return 1
	want=$(printf '{\n  "cloudService": {\n    "proxy": "URL"\n  }\n}')
	[[ $got == "$want" ]]
}

merge_with_python() {
	"$PYTHON" - "$1" "$2" "$3" <<'PY'
# Kept to Python 3.4 features (SLES 12); OrderedDict keeps the file's key order on old Pythons.
import collections
import json
import sys

source, out, proxy = sys.argv[1:4]
data = collections.OrderedDict()
with open(source, encoding="utf-8") as handle:
    text = handle.read()
if text.strip():
    try:
        data = json.loads(text, object_pairs_hook=collections.OrderedDict)
    except ValueError:
        sys.exit("%s is not valid JSON; fix or remove it - it was left untouched" % source)
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

# Reads the file back as JSON (with Python, when there is one) and compares cloudService.proxy.
read_back_mdatp() {
	local file=$1 candidate=$2 got=
	find_python
	if [[ -n $PYTHON ]]; then
		got=$("$PYTHON" -c 'import json,sys; print(json.load(open(sys.argv[1], encoding="utf-8"))["cloudService"]["proxy"])' "$file" 2>/dev/null) || got=
	elif cmp -s -- "$candidate" "$file"; then
		# Without Python only the script's own text was written (nothing to merge): compare bytes.
		got="$PROXY_URL/"
	fi
	[[ $got == "$PROXY_URL/" ]] || die 1 "$file does not read back as JSON with cloudService.proxy set to this proxy"
	echo "verified: $file has cloudService.proxy = $PROXY_URL/"
}

# @include linux/route-check.sh

# @include linux/systemd.sh

# ---- the Azure Linux Agent restart ----

# This script runs as a child of the Azure Linux Agent (Run Command is one of its extensions),
# in the agent's control group: `systemctl restart` of the agent from here would kill this
# script before it reports, and the run command would fail for a change that worked. So the
# restart is handed to systemd as a transient timer of its own, outside the agent's cgroup,
# RESTART_DELAY_SECONDS after this script ends. Every value the restarted agent will load has
# been read back from systemd (systemctl show) before this point and the route check has passed
# with this proxy; the restart itself is proven by a second run with OS_PROXY_MODE=verify, which
# reads the running agent's own environment (/proc/<MainPID>/environ).
# Whether to restart is decided from that same environment, not from whether this run wrote the
# drop-in: a run killed after writing it is completed by the next.
converge_agent() {
	local unit=$1
	if running_environment_ok "$unit"; then
		echo "verified: the running $unit has the proxy in its environment (/proc/<MainPID>/environ)"
	elif unit_active "$unit"; then
		schedule_restart "$unit" "$RESTART_DELAY_SECONDS" || die 1 "could not schedule the restart of $unit with systemd-run"
		echo "scheduled: restart of $unit in ${RESTART_DELAY_SECONDS}s (systemd-run): the running agent does not have the proxy in its environment yet; OS_PROXY_MODE=verify confirms it"
	else
		echo "note: $unit is not running; it loads the proxy when it starts"
	fi
}

# OS_PROXY_MODE=verify: the read-back after the restart. Changes nothing.
verify() {
	local unit=$1
	[[ -n $unit ]] || die 1 "no walinuxagent.service or waagent.service unit found; nothing to verify"
	systemd_running || die 1 "systemd is not running: the agent's environment cannot be read back"
	unit_environment_ok "$unit" || die 1 "systemctl show -p Environment $unit does not have this proxy; run the apply step again"
	echo "verified: systemctl show -p Environment $unit has the proxy"
	wait_for_running_environment "$unit" "$VERIFY_WAIT" ||
		die 1 "the running $unit still has no proxy environment after ${VERIFY_WAIT}s (it was not restarted); run the apply step again"
	echo "verified: the running $unit has the proxy in its environment (/proc/<MainPID>/environ)"
	echo "done: operating-system proxy for Defender for Endpoint verified as $PROXY_URL"
}

main() {
	validate_proxy_url
	normalize_bypass
	validate_route_check
	MODE=${OS_PROXY_MODE:-apply}
	[[ $MODE == apply || $MODE == verify ]] || die 2 "OS_PROXY_MODE must be apply or verify"
	VERIFY_WAIT=${OS_PROXY_VERIFY_WAIT_SECONDS:-180}
	if [[ ! $VERIFY_WAIT =~ ^[1-9][0-9]{0,2}$ ]] || ((VERIFY_WAIT > 600)); then
		die 2 "OS_PROXY_VERIFY_WAIT_SECONDS must be a whole number of seconds from 1 to 600"
	fi
	CANDIDATE_SEQ=0
	RELOADED=0

	WORK=$(mktemp -d "${TMPDIR:-/tmp}/defender-servers-os-proxy.XXXXXX") || die 1 "cannot create a scratch directory under ${TMPDIR:-/tmp}"
	trap cleanup EXIT

	# -- preflight: find and check everything before changing anything --
	local agent_unit=""
	if find_unit walinuxagent.service; then
		agent_unit=walinuxagent.service
	elif find_unit waagent.service; then
		agent_unit=waagent.service
	fi
	if [[ $MODE == verify ]]; then
		verify "$agent_unit"
		return 0
	fi

	local -a managers=()
	[[ -d /etc/apt ]] && managers+=(apt)
	[[ -f /etc/dnf/dnf.conf ]] && managers+=(dnf)
	[[ -f /etc/yum.conf || -L /etc/yum.conf ]] && managers+=(yum)
	[[ -f /etc/tdnf/tdnf.conf ]] && managers+=(tdnf)
	[[ -d /etc/zypp ]] && managers+=(zypper)
	((${#managers[@]} > 0)) ||
		die 1 "no supported package manager found (looked for /etc/apt, /etc/dnf/dnf.conf, /etc/yum.conf, /etc/tdnf/tdnf.conf, /etc/zypp); MDE.Linux installs through one of apt, dnf, yum, tdnf or zypper"

	local dropin=""
	if [[ -n $agent_unit ]]; then
		check_waagent_conf
		# The seed article puts this drop-in under /lib/systemd/system/<unit>.d/. That tree
		# belongs to the distribution's packages; /etc/systemd/system/<unit>.d/ is the place for
		# the administrator's own drop-ins and survives package upgrades. The same file name,
		# 13-Proxy.conf, replaces a copy made by hand under /lib (a same-named file in a
		# higher-priority directory wins, systemd.unit(5)).
		dropin=/etc/systemd/system/$agent_unit.d/13-Proxy.conf
		refuse_if_masked "$dropin"
		check_dropin_conflicts "$agent_unit" "$dropin"
	fi
	local manager
	for manager in ${managers[@]+"${managers[@]}"}; do
		case $manager in
		dnf) check_rpm_main /etc/dnf/dnf.conf ;;
		yum) check_rpm_main /etc/yum.conf ;;
		tdnf) check_rpm_main /etc/tdnf/tdnf.conf ;;
		zypper) check_zypper ;;
		*) ;;
		esac
	done

	local mdatp_json=/etc/opt/microsoft/mdatp/managed/mdatp_managed.json
	local mdatp_rc=0
	render_mdatp_json "$mdatp_json" "$WORK/mdatp.json" 2>"$WORK/mdatp.err" || mdatp_rc=$?
	if ((mdatp_rc != 0 && mdatp_rc != 3)); then
		local why
		why=$(head -c 300 -- "$WORK/mdatp.err")
		die 1 "cannot merge cloudService.proxy into $mdatp_json: ${why//$'\n'/ }"
	fi

	# -- b. package managers --
	local rpm_done=0
	for manager in ${managers[@]+"${managers[@]}"}; do
		# dnf and yum read repository options, proxy= among them, from the .repo sections and let
		# them win over [main] (rpm-software-management/dnf doc/conf_ref.rst). No tdnf source
		# confirms a per-repository proxy=, so on tdnf alone nothing is written there: its installs
		# get the proxy from the agent's environment, which MDE's docs name for any package manager.
		case $manager in
		apt)
			render_apt "$WORK/apt"
			put_file /etc/apt/apt.conf.d/95defender-servers-proxy "$WORK/apt" || true
			read_back_apt
			;;
		dnf | yum | tdnf)
			[[ $manager != tdnf ]] || echo "note: tdnf gets the proxy from the Azure Linux Agent's environment (no repository file is changed)"
			case $manager in
			dnf) configure_rpm_main /etc/dnf/dnf.conf ;;
			yum) [[ /etc/yum.conf -ef /etc/dnf/dnf.conf ]] || configure_rpm_main /etc/yum.conf ;;
			*) configure_rpm_main /etc/tdnf/tdnf.conf ;;
			esac
			if ((!rpm_done)) && [[ $manager != tdnf ]]; then
				configure_ms_repositories
				rpm_done=1
			fi
			;;
		*) ;;
		esac
	done

	# -- c. MDE managed configuration (run-time proxy of the sensor) --
	if ((mdatp_rc == 3)); then
		echo "unchanged: $mdatp_json (cloudService.proxy is already $PROXY_URL/)"
	else
		if put_file "$mdatp_json" "$WORK/mdatp.json" >/dev/null; then
			echo "changed: $mdatp_json (cloudService.proxy = $PROXY_URL/)"
		fi
	fi
	read_back_mdatp "$mdatp_json" "$WORK/mdatp.json"

	# -- a. Azure Linux Agent, last: its restart is the one disruptive step --
	if [[ -z $agent_unit ]]; then
		echo "note: no walinuxagent.service or waagent.service unit found (an Azure Arc machine?); agent drop-in skipped"
	else
		render_agent_dropin "$WORK/dropin"
		put_file "$dropin" "$WORK/dropin" || true
		if systemd_running; then
			RELOADED=1
			reload_if_needed "$agent_unit" || die 1 "systemctl daemon-reload failed"
			unit_environment_ok "$agent_unit" ||
				die 1 "systemd reports another proxy environment for $agent_unit than $SCRIPT_NAME wrote (something else sets it); run 'systemctl cat $agent_unit' to find it"
			echo "verified: systemctl show -p Environment $agent_unit has the proxy"
		else
			echo "note: systemd is not running here; the drop-in is checked against the other unit files only"
		fi
	fi

	route_check

	if [[ -n $agent_unit ]] && systemd_running; then
		converge_agent "$agent_unit"
	fi
	CHANGED_TARGETS=()
	echo "done: operating-system proxy for Defender for Endpoint is $PROXY_URL"
}

main "$@"
