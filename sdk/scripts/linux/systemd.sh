# ---- systemd, state-based (sdk/scripts/linux/systemd.sh, assembled into each Linux script) ----
# Every decision here comes from what systemd and the running process report, never from what
# this run happened to write: a run interrupted at any point (killed after writing a drop-in,
# before the reload, before the restart) is healed by the next one. Only what systemd 219 (RHEL
# and CentOS 7) has is used: `systemctl show -p NAME` (no --value, systemd 230), no
# `systemd-run --wait/--pipe/--collect` (systemd 232-236); `systemd-run --scope` and
# `--on-active` are older than 219.

readonly UNIT_DIRS=(/etc/systemd/system.control /run/systemd/system.control /run/systemd/transient
	/etc/systemd/system /run/systemd/system /usr/local/lib/systemd/system /lib/systemd/system
	/usr/lib/systemd/system)

# find_unit UNIT: true when a unit file of that name is on systemd's unit search path.
find_unit() {
	local unit=$1 dir
	for dir in "${UNIT_DIRS[@]}"; do
		[[ -e $dir/$unit ]] && return 0
	done
	return 1
}

systemd_running() {
	[[ -d /run/systemd/system ]]
}

# unit_property UNIT NAME: the value of one property (`systemctl show -p NAME UNIT`, prefix cut).
unit_property() {
	local shown
	shown=$(systemctl show -p "$2" "$1" 2>/dev/null) || return 1
	shown=${shown%%$'\n'*}
	[[ $shown == "$2="* ]] || return 1
	printf '%s' "${shown#"$2="}"
}

# reload_if_needed UNIT: `systemctl daemon-reload` unless systemd has loaded UNIT's current files
# with our environment. Two observations decide it: NeedDaemonReload (systemd compares the files
# it loaded with the disk, but does not notice a drop-in directory created since), and the loaded
# Environment itself. Returns 1 when the reload fails.
reload_if_needed() {
	local need
	need=$(unit_property "$1" NeedDaemonReload) || need=yes
	if [[ $need == no ]] && unit_environment_ok "$1"; then
		return 0
	fi
	systemctl daemon-reload >/dev/null 2>&1 || return 1
	echo "reloaded: systemd had not loaded the current files of $1 (NeedDaemonReload=$need)"
}

# unit_environment_ok UNIT: systemd's loaded Environment of UNIT gives every proxy variable our value.
unit_environment_ok() {
	local shown word var want
	local -a words=()
	local -A got=()
	shown=$(unit_property "$1" Environment) || return 1
	read -r -a words <<<"$shown"
	for word in ${words[@]+"${words[@]}"}; do
		[[ $word == *=* ]] && got[${word%%=*}]=${word#*=}
	done
	for var in "${PROXY_VARS[@]}"; do
		want=$(expected_value "$var")
		[[ ${got[$var]-} == "$want" ]] || return 1
	done
	return 0
}

# running_environment_ok UNIT: the unit's RUNNING main process has every proxy variable with our
# value in /proc/<MainPID>/environ: proof that it was (re)started after systemd loaded them.
running_environment_ok() {
	local pid env var want
	pid=$(unit_property "$1" MainPID) || return 1
	[[ $pid =~ ^[1-9][0-9]*$ && -r /proc/$pid/environ ]] || return 1
	env=$(tr '\0' '\n' <"/proc/$pid/environ") || return 1
	for var in "${PROXY_VARS[@]}"; do
		want=$(expected_value "$var")
		grep -qxF -- "$var=$want" <<<"$env" || return 1
	done
	return 0
}

# unit_active UNIT: systemd reports it active (running or starting).
unit_active() {
	local state
	state=$(unit_property "$1" ActiveState) || return 1
	[[ $state == active || $state == activating || $state == reloading ]]
}

# schedule_restart UNIT DELAY: `systemctl restart UNIT` DELAY seconds from now, in a transient
# timer of systemd's own, outside the caller's control group (the caller is a child of UNIT).
schedule_restart() {
	local systemctl_path
	systemctl_path=$(command -v systemctl) || return 1
	command -v systemd-run >/dev/null || return 1
	systemd-run --on-active="$2s" --description="defender-servers: restart $1 to apply its proxy" \
		"$systemctl_path" restart "$1" >/dev/null 2>&1
}

# wait_for_running_environment UNIT SECONDS: waits, in 5 s steps, for running_environment_ok.
wait_for_running_environment() {
	local waited=0
	until running_environment_ok "$1"; do
		((waited < $2)) || return 1
		sleep 5
		waited=$((waited + 5))
	done
	return 0
}
