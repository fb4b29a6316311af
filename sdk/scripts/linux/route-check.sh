# ---- route check (sdk/scripts/linux/route-check.sh, assembled into each Linux script) ----
# Proves, through the proxy, what the agents themselves will do (one curl per target):
#   port 80   a plain HTTP GET through the proxy, as the agents fetch certificate revocation and
#             trust lists (defender-docs standard connectivity URL lists: crl.microsoft.com,
#             ctldl.windowsupdate.com, www.microsoft.com on port 80); the component's Squid snippet
#             allows these only as GET/HEAD, never CONNECT.
#   any other a TLS handshake inside a CONNECT tunnel, verified against this machine's trust store.
#             A certificate the trust store does not accept fails naming its issuer: a
#             TLS-intercepting proxy answers with its own certificate, and Defender for Endpoint
#             does not support TLS inspection (defender-docs defender-endpoint/configure-environment.md).
# A target that the bypass list (no_proxy) would send around the proxy fails as well: the agents
# would not use the proxy for it. All probes together stop after ROUTE_TOTAL seconds.
# Needs: PROXY_URL, BYPASS, ROUTE_HOSTS, ROUTE_PRIVATE_HOSTS, ROUTE_TIMEOUT, ROUTE_TOTAL, die.

readonly MAX_ROUTE_CHECK_HOSTS=100

# Sets ROUTE_HOSTS, ROUTE_PRIVATE_HOSTS (arrays), ROUTE_TIMEOUT and ROUTE_TOTAL from ROUTE_CHECK_*.
validate_route_check() {
	local entry host port i=0
	local -a raw=()
	ROUTE_HOSTS=()
	ROUTE_PRIVATE_HOSTS=()
	ROUTE_TIMEOUT=${ROUTE_CHECK_TIMEOUT_SECONDS:-10}
	if [[ ! $ROUTE_TIMEOUT =~ ^[1-9][0-9]?$ ]] || ((ROUTE_TIMEOUT > 60)); then
		die 2 "ROUTE_CHECK_TIMEOUT_SECONDS must be a whole number of seconds from 1 to 60"
	fi
	# A run command ends after 600 s (Azure's default timeout): the default leaves room for the rest.
	ROUTE_TOTAL=${ROUTE_CHECK_TOTAL_SECONDS:-300}
	if [[ ! $ROUTE_TOTAL =~ ^[1-9][0-9]{0,2}$ ]] || ((ROUTE_TOTAL > 540)); then
		die 2 "ROUTE_CHECK_TOTAL_SECONDS must be a whole number of seconds from 1 to 540"
	fi
	IFS=',' read -r -a raw <<<"${ROUTE_CHECK_HOSTS:-}"
	for entry in ${raw[@]+"${raw[@]}"}; do
		i=$((i + 1))
		entry=$(trim "$entry")
		[[ -n $entry ]] || continue
		host=${entry%:*}
		port=${entry##*:}
		if [[ $entry != *:* || ! $host =~ $HOST_RE || ! $port =~ ^[1-9][0-9]{0,4}$ ]] || ((port > 65535)); then
			die 2 "ROUTE_CHECK_HOSTS entry $i is not host:port (a DNS name and a port from 1 to 65535)"
		fi
		ROUTE_HOSTS+=("$entry")
	done
	i=0
	raw=()
	IFS=',' read -r -a raw <<<"${ROUTE_CHECK_PRIVATE_HOSTS:-}"
	for entry in ${raw[@]+"${raw[@]}"}; do
		i=$((i + 1))
		entry=$(trim "$entry")
		[[ -n $entry ]] || continue
		[[ $entry =~ $HOST_RE ]] || die 2 "ROUTE_CHECK_PRIVATE_HOSTS entry $i is not a DNS name"
		ROUTE_PRIVATE_HOSTS+=("$entry")
	done
	((${#ROUTE_HOSTS[@]} + ${#ROUTE_PRIVATE_HOSTS[@]} <= MAX_ROUTE_CHECK_HOSTS)) ||
		die 2 "ROUTE_CHECK_HOSTS and ROUTE_CHECK_PRIVATE_HOSTS name more than $MAX_ROUTE_CHECK_HOSTS hosts together"
	if ((${#ROUTE_HOSTS[@]} > 0)) && ! command -v curl >/dev/null; then
		die 1 "curl was not found; the route check needs it to prove the HTTP GET and the TLS handshake through the proxy - install curl and run again"
	fi
	if ((${#ROUTE_PRIVATE_HOSTS[@]} > 0)) && ! command -v getent >/dev/null; then
		die 1 "getent was not found; cannot check the DNS answers of ROUTE_CHECK_PRIVATE_HOSTS"
	fi
}

# bypass_entry_for HOST: prints the no_proxy entry that sends HOST around the proxy; status 1
# when none does. Matched as curl, Python and Go read no_proxy: a name matches itself and its
# subdomains, with or without a leading dot or "*."; a :port suffix is ignored; address and CIDR
# entries never match a name.
bypass_entry_for() {
	local host=$1 entry bare
	local -a entries=()
	host=$(lowercase "$host")
	IFS=',' read -r -a entries <<<"$BYPASS"
	for entry in ${entries[@]+"${entries[@]}"}; do
		bare=$(lowercase "$entry")
		bare=${bare%%/*}
		bare=${bare%:[0-9]*}
		bare=${bare#\*}
		bare=${bare#.}
		[[ -n $bare ]] || continue
		if [[ $host == "$bare" || $host == *".$bare" ]]; then
			printf '%s' "$entry"
			return 0
		fi
	done
	return 1
}

# lowercase TEXT: ASCII only, whatever the locale (tr_TR maps I to a dotless i).
lowercase() {
	printf '%s' "$1" | LC_ALL=C tr '[:upper:]' '[:lower:]'
}

# probe_http HOST SECONDS: a GET of http://HOST/ through the proxy; prints "ok" or what went wrong.
# Any answer of the far end counts (a revocation host may answer 404 for "/"); a refusal by the
# proxy does not: 403 (Squid's access denial), 407, 5xx (the proxy could not reach it), or an
# X-Squid-Error header.
probe_http() {
	local host=$1 limit=$2 rc=0 out code
	out=$(curl -sS -o /dev/null -D - -w '\n%{http_code}' --proxy "$PROXY_URL" --noproxy '' \
		--connect-timeout "$limit" --max-time "$limit" "http://$host/" 2>/dev/null) || rc=$?
	code=${out##*$'\n'}
	if ((rc == 28)); then
		echo "timeout after ${limit}s"
	elif ((rc == 5 || rc == 7)); then
		echo "could not connect to the proxy"
	elif [[ ! $code =~ ^[1-9][0-9][0-9]$ ]]; then
		echo "no HTTP answer to GET through the proxy (curl exit $rc)"
	elif ((code == 403 || code == 407 || code >= 500)) || grep -qi '^X-Squid-Error:' <<<"$out"; then
		echo "the proxy answered HTTP $code to GET"
	else
		echo ok
	fi
}

# probe_tls TARGET SECONDS: a TLS handshake with TARGET inside a CONNECT tunnel, verified
# against the system trust store; prints "ok" or what went wrong (naming the issuer of a
# certificate the trust store rejects).
probe_tls() {
	local target=$1 limit=$2 rc=0 code issuer
	code=$(curl -sS -o /dev/null -w '%{http_connect}' --proxy "$PROXY_URL" --proxytunnel --noproxy '' \
		--connect-timeout "$limit" --max-time "$limit" "https://$target/" 2>/dev/null) || rc=$?
	if ((rc == 0)); then
		echo ok
	elif [[ $code =~ ^[1-9][0-9][0-9]$ && $code != 200 ]]; then
		echo "the proxy answered HTTP $code to CONNECT"
	elif ((rc == 28)); then
		echo "timeout after ${limit}s"
	elif ((rc == 5 || rc == 7)); then
		echo "could not connect to the proxy"
	elif ((rc == 60)); then
		# Once more without verification, only to name who signed what was presented.
		issuer=$(curl -sS -k -v -o /dev/null --proxy "$PROXY_URL" --proxytunnel --noproxy '' \
			--connect-timeout "$limit" --max-time "$limit" "https://$target/" 2>&1 |
			sed -n 's/^\*[[:space:]]*issuer:[[:space:]]*//p' | head -n 1 | tr -cd '[:print:]' | cut -c1-200) || issuer=
		echo "its TLS certificate is not trusted by this machine's trust store (issuer: ${issuer:-unknown}); a TLS-intercepting proxy? Defender for Endpoint does not support TLS inspection"
	elif ((rc == 35)); then
		echo "the TLS handshake through the proxy failed"
	else
		echo "curl failed (exit $rc)"
	fi
}

is_private_address() {
	local a
	a=$(lowercase "$1")
	case $a in
	10.*) return 0 ;;
	192.168.*) return 0 ;;
	172.1[6-9].* | 172.2[0-9].* | 172.3[01].*) return 0 ;;
	fc* | fd*) [[ $a == *:* ]] && return 0 ;;
	*) ;;
	esac
	return 1
}

# probe_private_dns HOST SECONDS: prints "ok" or what the DNS answered.
probe_private_dns() {
	local host=$1 limit=$2 answers rc=0 addr public=""
	answers=$(timeout "$limit" getent ahosts "$host" 2>/dev/null | awk '{print $1}' | sort -u) || rc=$?
	if ((rc == 124)); then
		echo "DNS timeout after ${limit}s"
		return 0
	fi
	if [[ -z $answers ]]; then
		echo "no DNS answer"
		return 0
	fi
	for addr in $answers; do
		is_private_address "$addr" || public+=${public:+ }$addr
	done
	if [[ -n $public ]]; then
		echo "DNS answer not in private address space: $public"
	else
		echo ok
	fi
}

# route_check: every target of ROUTE_HOSTS and ROUTE_PRIVATE_HOSTS, within ROUTE_TOTAL seconds;
# dies naming every failure.
route_check() {
	local target result deadline now left entry kind
	local -a failures=()
	((${#ROUTE_HOSTS[@]} + ${#ROUTE_PRIVATE_HOSTS[@]} > 0)) || return 0
	deadline=$((SECONDS + ROUTE_TOTAL))
	for target in ${ROUTE_HOSTS[@]+"${ROUTE_HOSTS[@]}"} ${ROUTE_PRIVATE_HOSTS[@]+"${ROUTE_PRIVATE_HOSTS[@]}"}; do
		kind=proxy
		[[ $target == *:* ]] || kind=private
		now=$SECONDS
		if ((now >= deadline)); then
			failures+=("$target (not probed: the route check's $ROUTE_TOTAL s were used up)")
			continue
		fi
		left=$((deadline - now < ROUTE_TIMEOUT ? deadline - now : ROUTE_TIMEOUT))
		if [[ $kind == private ]]; then
			result=$(probe_private_dns "$target" "$left")
		elif entry=$(bypass_entry_for "${target%:*}"); then
			result="the bypass list entry $entry sends it around the proxy, so the agents would not use the proxy for it"
		elif [[ ${target##*:} == 80 ]]; then
			result=$(probe_http "${target%:*}" "$left")
		else
			result=$(probe_tls "$target" "$left")
		fi
		[[ $result == ok ]] || failures+=("$target ($result)")
	done
	if ((${#failures[@]} > 0)); then
		local joined
		joined=$(printf '%s; ' ${failures[@]+"${failures[@]}"})
		die 1 "route check failed for ${#failures[@]} host(s): ${joined%; }"
	fi
	echo "verified: route check passed for ${#ROUTE_HOSTS[@]} host(s) through the proxy (GET on port 80, a verified TLS handshake otherwise) and ${#ROUTE_PRIVATE_HOSTS[@]} private name(s)"
}
