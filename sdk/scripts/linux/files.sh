# ---- files (sdk/scripts/linux/files.sh, assembled into each Linux script) ----
# Every write is atomic and undone by roll_back_files when the run fails: the caller's die()
# calls it. Needs: SCRIPT_NAME, die.

WORK=
# Files changed so far: target paths and, at the same index, their backup (or "-" when new).
CHANGED_TARGETS=()
CHANGED_BACKUPS=()
# Directories this run created, deepest first, removed again (when empty) by roll_back_files.
CREATED_DIRS=()

cleanup() {
	if [[ -n $WORK ]]; then
		rm -rf -- "$WORK"
	fi
}

# Puts every changed file back as it was, newest first, so that a failed run leaves nothing half done.
roll_back_files() {
	local i target backup
	for ((i = ${#CHANGED_TARGETS[@]} - 1; i >= 0; i--)); do
		target=${CHANGED_TARGETS[i]}
		backup=${CHANGED_BACKUPS[i]}
		if [[ $backup == - ]]; then
			rm -f -- "$target" || printf '%s: error: could not remove %s while rolling back\n' "$SCRIPT_NAME" "$target" >&2
		elif ! cp -p -- "$backup" "$target.defender-servers-restore" || ! mv -f -- "$target.defender-servers-restore" "$target"; then
			printf '%s: error: could not put %s back while rolling back\n' "$SCRIPT_NAME" "$target" >&2
		fi
	done
	for target in ${CREATED_DIRS[@]+"${CREATED_DIRS[@]}"}; do
		rmdir -- "$target" 2>/dev/null || true
	done
	CHANGED_TARGETS=()
	CHANGED_BACKUPS=()
	CREATED_DIRS=()
}
BACKUP_SEQ=0


# same_content A B: true when both files exist and hold the same bytes.
same_content() {
	[[ -f $1 && -f $2 ]] && cmp -s -- "$1" "$2"
}

# refuse_if_masked TARGET: dies when TARGET is a link to /dev/null. Such a link masks a file on
# purpose (systemd.unit(5): a drop-in linked to /dev/null is switched off), and writing through
# it would replace the machine's /dev/null. Whoever masked it decides; the message says how.
refuse_if_masked() {
	local resolved
	[[ -L $1 ]] || return 0
	resolved=$(readlink -f -- "$1") || die 1 "cannot resolve the symlink $1"
	[[ $resolved != /dev/null ]] ||
		die 1 "$1 is masked (a symbolic link to /dev/null, which switches it off on purpose); nothing was written to it. Remove the link (rm $1) to let this script manage it, and run again"
}

# put_file TARGET CANDIDATE: makes TARGET hold CANDIDATE's bytes, atomically: a temporary file
# in TARGET's own directory, flushed to disk, then renamed over TARGET, so TARGET is never cut
# short (a full disk fails the temporary file, not TARGET). A symlink is followed, so the link
# stays (RHEL's /etc/yum.conf -> dnf/dnf.conf); owner, mode and SELinux label are copied from
# the file replaced. Every step is checked here, because `set -e` does not apply inside a
# function called from `if`. Returns 0 when TARGET changed, 1 when it already held the bytes.
put_file() {
	local target=$1 candidate=$2 real dir tmp backup
	if same_content "$candidate" "$target"; then
		echo "unchanged: $target"
		return 1
	fi
	real=$target
	if [[ -L $target ]]; then
		real=$(readlink -f -- "$target") || die 1 "cannot resolve the symlink $target"
	fi
	refuse_if_masked "$target"
	[[ ! -d $real ]] || die 1 "cannot write $target: a directory is in its place; remove or rename it and run again"
	[[ ! -e $real || -f $real ]] || die 1 "cannot write $target: it is not a regular file (a device, socket or pipe is in its place); remove it and run again"
	dir=$(dirname -- "$real")
	local missing=$dir
	while [[ ! -d $missing ]]; do
		CREATED_DIRS+=("$missing")
		missing=$(dirname -- "$missing")
	done
	mkdir -p -- "$dir" 2>/dev/null || die 1 "cannot create the directory $dir (read-only file system?)"
	tmp=$(mktemp "$dir/.defender-servers.XXXXXX" 2>/dev/null) || die 1 "cannot create a file in $dir (read-only file system or full disk?)"
	if ! cat -- "$candidate" >"$tmp" 2>/dev/null || ! sync_file "$tmp"; then
		rm -f -- "$tmp"
		die 1 "cannot write $target (full disk?); it was left as it was"
	fi
	backup=-
	if [[ -e $real ]]; then
		BACKUP_SEQ=$((BACKUP_SEQ + 1))
		backup=$WORK/backup.$BACKUP_SEQ
		if ! cp -p -- "$real" "$backup" || ! chmod --reference="$real" -- "$tmp" || ! chown --reference="$real" -- "$tmp"; then
			rm -f -- "$tmp"
			die 1 "cannot copy the owner and mode of $target"
		fi
		if [[ -e /sys/fs/selinux/enforce ]] && command -v chcon >/dev/null && ! chcon --reference="$real" -- "$tmp" 2>/dev/null; then
			rm -f -- "$tmp"
			die 1 "cannot copy the SELinux label of $target"
		fi
	else
		chmod 0644 -- "$tmp" || {
			rm -f -- "$tmp"
			die 1 "cannot set the mode of a new $target"
		}
	fi
	if ! mv -f -- "$tmp" "$real" 2>/dev/null; then
		rm -f -- "$tmp"
		die 1 "cannot rename the new $target into place; it was left as it was"
	fi
	CHANGED_TARGETS+=("$real")
	CHANGED_BACKUPS+=("$backup")
	sync_file "$dir" || true
	cmp -s -- "$candidate" "$real" || die 1 "$target does not hold what was written (read back after the rename)"
	echo "changed: $target"
	return 0
}

# fsync where coreutils can (sync FILE, coreutils 8.24+), a full sync elsewhere.
sync_file() {
	sync -- "$1" 2>/dev/null || sync
}
