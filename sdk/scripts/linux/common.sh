# ---- common input checks (sdk/scripts/linux/common.sh, assembled into each Linux script) ----
# One locale whatever the machine's: under tr_TR or az_AZ, [A-Za-z] and case mapping treat
# I and i differently, and the checks below must read every input the same way everywhere.
export LC_ALL=C

readonly ALWAYS_BYPASS="168.63.129.16,169.254.169.254,localhost,127.0.0.1"
# Bounds for PROXY_BYPASS: a DNS name is at most 253 characters. The list is the caller's
# (sdk/validate/proxy.ts BYPASS_LIMITS: 200 entries, 3584 characters) plus what the component adds
# itself: the fixed entries above and the Private Link host names, three per Log Analytics
# workspace (test/bypassValidation.linux.spec.ts renders the worst case through the component's
# own functions). 1000 entries and 16384 characters hold that for dozens of workspaces and stay
# far below systemd's line limit for each Environment= line (LONG_LINE_MAX, 1 MiB). The fixed
# entries are not counted.
readonly MAX_BYPASS_ENTRY_CHARS=253
readonly MAX_BYPASS_ENTRIES=1000
readonly MAX_BYPASS_CHARS=16384
readonly PROXY_VARS=(http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY)
readonly HOST_RE='^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$'

# Sets PROXY_HOST and PROXY_PORT from PROXY_URL, or dies (exit 2) saying what is wrong.
validate_proxy_url() {
	local url=${PROXY_URL:-}
	local fix="set PROXY_URL to http://host:port (plain http, a port, no user:password@, no path)"
	local rest host port
	[[ -n $url ]] || die 2 "PROXY_URL is empty or not set; $fix"
	[[ $url == http://* ]] || die 2 "PROXY_URL must use the http:// scheme (the agents talk plain HTTP to the proxy); $fix"
	rest=${url#http://}
	[[ $rest != *@* ]] || die 2 "PROXY_URL must not carry credentials (the agents do not support authenticated proxies); $fix"
	[[ $rest != */* && $rest != *'?'* && $rest != *'#'* ]] || die 2 "PROXY_URL must not have a path, query or fragment; $fix"
	[[ $rest == *:* ]] || die 2 "PROXY_URL has no port; $fix"
	host=${rest%:*}
	port=${rest##*:}
	[[ $host =~ $HOST_RE ]] || die 2 "PROXY_URL host must be a DNS name or an IPv4 address; $fix"
	if [[ ! $port =~ ^[1-9][0-9]{0,4}$ ]] || ((port > 65535)); then
		die 2 "PROXY_URL port must be a number from 1 to 65535; $fix"
	fi
	PROXY_HOST=$host
	PROXY_PORT=$port
}

trim() {
	local s=$1
	s=${s#"${s%%[![:space:]]*}"}
	printf '%s' "${s%"${s##*[![:space:]]}"}"
}

# Sets BYPASS: the fixed entries, then PROXY_BYPASS normalised (trimmed, empty and repeated
# entries dropped). Messages name the entry's position, never its text.
normalize_bypass() {
	local raw=${PROXY_BYPASS:-} entry out=$ALWAYS_BYPASS i=0 counted=0
	local fix="set PROXY_BYPASS to a comma-separated list such as localhost,127.0.0.1,.contoso.com,10.0.0.0/8"
	local -a entries=()
	[[ $raw != *$'\n'* ]] || die 2 "PROXY_BYPASS must be one line; $fix"
	((${#raw} <= MAX_BYPASS_CHARS)) || die 2 "PROXY_BYPASS is longer than $MAX_BYPASS_CHARS characters; $fix"
	IFS=',' read -r -a entries <<<"$raw"
	for entry in ${entries[@]+"${entries[@]}"}; do
		i=$((i + 1))
		entry=$(trim "$entry")
		[[ -n $entry ]] || continue
		[[ $entry != *@* ]] || die 2 "PROXY_BYPASS entry $i carries credentials (user:password@); remove them; $fix"
		[[ $entry =~ [A-Za-z0-9] ]] || die 2 "PROXY_BYPASS entry $i would send every destination around the proxy; list hosts, .domains or ranges; $fix"
		((${#entry} <= MAX_BYPASS_ENTRY_CHARS)) || die 2 "PROXY_BYPASS entry $i is longer than $MAX_BYPASS_ENTRY_CHARS characters; $fix"
		# Bypass entries may be printed (the route check names the one that sends a host around
		# the proxy): these characters cannot hold a credential.
		[[ $entry =~ ^[A-Za-z0-9._*:/-]+$ && $entry != *://* ]] ||
			die 2 "PROXY_BYPASS entry $i has characters other than letters, digits and . _ * : / -; $fix"
		[[ ",$out," == *",$entry,"* ]] && continue
		out+=,$entry
		counted=$((counted + 1))
		((counted <= MAX_BYPASS_ENTRIES)) || die 2 "PROXY_BYPASS has more than $MAX_BYPASS_ENTRIES entries besides $ALWAYS_BYPASS; $fix"
	done
	BYPASS=$out
}

# expected_value VAR: what our drop-ins give VAR.
expected_value() {
	if [[ $1 == [nN][oO]_* ]]; then printf '%s' "$BYPASS"; else printf '%s' "$PROXY_URL"; fi
}

# find_python: sets PYTHON to the one JSON implementation the scripts use: python3 on PATH, else
# /usr/libexec/platform-python (RHEL/CentOS/Oracle Linux 8 and 9 keep their own Python 3 there
# even on minimal installs, for dnf); empty when neither exists. One implementation is kept on
# purpose: a second (jq) could not be proven on every platform either, and an Azure VM always has
# python3 (the Azure Linux Agent is a Python program).
find_python() {
	PYTHON=$(command -v python3 || true)
	if [[ -z $PYTHON && -x /usr/libexec/platform-python ]]; then
		PYTHON=/usr/libexec/platform-python
	fi
}
