#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite: a fresh cluster in a temporary folder,
# listening only on 127.0.0.1 on a free port, trust auth, sockets inside that folder.
#
#   scripts/pg-test-server.sh run CMD [ARGS...]
#       start a server, run CMD with TEST_DATABASE_URL exported, stop the server and delete
#       its folder (always, even when CMD fails or the script is interrupted); exit with
#       CMD's exit code. `make test-postgres` and .ci/run use this.
#   eval "$(scripts/pg-test-server.sh start)"
#       start a server and print shell assignments for PG_TEST_DIR and TEST_DATABASE_URL;
#       stop it yourself with:
#   scripts/pg-test-server.sh stop "$PG_TEST_DIR"
#
# Environment: PG_BINDIR (folder holding initdb/pg_ctl; found automatically, and Debian's
# postgresql is installed with apt-get when there is none), PG_TEST_DB (default
# belonging_test), PG_TEST_USER (the OS user that runs the server when started as root;
# default postgres). Progress messages go to stderr; only `start` writes to stdout.
set -euo pipefail

DB_NAME="${PG_TEST_DB:-belonging_test}"
DB_ROLE=postgres # the database superuser created by initdb

log() { echo "pg-test-server: $*" >&2 || true; }
die() {
	log "error: $*"
	exit 1
}

# --- Finding (or installing) the PostgreSQL binaries -----------------------------------------

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# Debian keeps the server binaries in /usr/lib/postgresql/<version>/bin, off PATH; some machines
# symlink initdb/pg_ctl onto PATH. Resolve symlinks so pg_isready etc. come from the same folder.
find_bindir() {
	if [ -n "${PG_BINDIR:-}" ]; then
		[ -x "$PG_BINDIR/initdb" ] && [ -x "$PG_BINDIR/pg_ctl" ] && echo "$PG_BINDIR" && return 0
		die "PG_BINDIR=$PG_BINDIR has no initdb/pg_ctl"
	fi
	local initdb dir
	if initdb="$(command -v initdb)" && command -v pg_ctl >/dev/null; then
		dir="$(dirname "$(readlink -f "$initdb")")"
		[ -x "$dir/pg_ctl" ] && echo "$dir" && return 0
	fi
	dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
	[ -n "$dir" ] && [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && echo "$dir" && return 0
	return 1
}

bindir() {
	local dir
	if ! dir="$(find_bindir)"; then
		log "no initdb/pg_ctl found: installing Debian's postgresql"
		as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
		dir="$(find_bindir)" || die "postgresql installed, but initdb/pg_ctl still not found"
	fi
	echo "$dir"
}

# --- Running server commands as a non-root user ----------------------------------------------

server_user() {
	if [ "$(id -u)" != 0 ]; then
		id -un
	elif id -u "${PG_TEST_USER:-postgres}" >/dev/null 2>&1; then
		echo "${PG_TEST_USER:-postgres}"
	else
		echo nobody
	fi
}

# as_server_user DIR CMD...: run CMD from DIR (readable by that user) as the server's user.
as_server_user() {
	local dir="$1"
	shift
	if [ "$(id -u)" = 0 ]; then
		(cd "$dir" && runuser -u "$(server_user)" -- "$@")
	else
		(cd "$dir" && "$@")
	fi
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- start / stop ------------------------------------------------------------------------------

# start_server: sets PG_TEST_DIR and TEST_DATABASE_URL in the calling shell.
start_server() {
	local bin began port attempt
	bin="$(bindir)"
	began="$(date +%s.%N)"
	PG_TEST_DIR="$(mktemp -d -t belonging-pg.XXXXXX)"
	chmod 700 "$PG_TEST_DIR"
	[ "$(id -u)" = 0 ] && chown "$(server_user)" "$PG_TEST_DIR"

	as_server_user "$PG_TEST_DIR" "$bin/initdb" --pgdata="$PG_TEST_DIR/data" --username="$DB_ROLE" \
		--auth=trust --encoding=UTF8 --locale=C --no-sync >"$PG_TEST_DIR/initdb.log" 2>&1 ||
		{ cat "$PG_TEST_DIR/initdb.log" >&2; die "initdb failed"; }

	# A free port can be taken between choosing it and binding it: try a few.
	for attempt in 1 2 3; do
		port="$(free_port)"
		if as_server_user "$PG_TEST_DIR" "$bin/pg_ctl" --pgdata="$PG_TEST_DIR/data" \
			--log="$PG_TEST_DIR/server.log" --wait --timeout=60 --silent \
			-o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$PG_TEST_DIR" \
			-o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
			start >&2; then
			break
		fi
		log "server did not start on port $port (attempt $attempt):"
		tail -n 20 "$PG_TEST_DIR/server.log" >&2 || true
		[ "$attempt" = 3 ] && die "could not start PostgreSQL"
	done

	local tries=0
	until "$bin/pg_isready" --quiet --host=127.0.0.1 --port="$port" --username="$DB_ROLE"; do
		tries=$((tries + 1))
		[ "$tries" -ge 100 ] && die "PostgreSQL on port $port never accepted connections"
		sleep 0.1
	done
	"$bin/createdb" --host=127.0.0.1 --port="$port" --username="$DB_ROLE" "$DB_NAME"

	TEST_DATABASE_URL="postgresql+psycopg://$DB_ROLE@127.0.0.1:$port/$DB_NAME"
	log "PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') ready on 127.0.0.1:$port" \
		"in $(python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" \
			"$began" "$(date +%s.%N)")s ($PG_TEST_DIR)"
}

stop_server() {
	local dir="$1" bin
	[ -n "$dir" ] && [ -d "$dir" ] || return 0
	set +e # clean up as much as possible, whatever fails
	if [ -f "$dir/data/postmaster.pid" ]; then
		bin="$(find_bindir)" || true
		if [ -z "$bin" ] || ! as_server_user "$dir" "$bin/pg_ctl" --pgdata="$dir/data" \
			--mode=fast --wait --timeout=30 --silent stop >&2; then
			log "pg_ctl stop failed: killing the server"
			kill -9 "$(head -n 1 "$dir/data/postmaster.pid")" 2>/dev/null || true
		fi
	fi
	rm -rf "$dir"
	log "stopped and removed $dir"
}

case "${1:-}" in
start)
	PG_TEST_DIR=""
	trap 'stop_server "$PG_TEST_DIR"' EXIT # only if starting fails: cleared below
	start_server
	trap - EXIT
	printf 'PG_TEST_DIR=%q\nTEST_DATABASE_URL=%q\nexport PG_TEST_DIR TEST_DATABASE_URL\n' \
		"$PG_TEST_DIR" "$TEST_DATABASE_URL"
	;;
stop)
	[ $# -eq 2 ] || die "usage: $0 stop DIR"
	stop_server "$2"
	;;
run)
	shift
	[ "${1:-}" = "--" ] && shift
	[ $# -gt 0 ] || die "usage: $0 run CMD [ARGS...]"
	PG_TEST_DIR=""
	trap 'stop_server "$PG_TEST_DIR"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# If whoever reads our output has gone (CI cancelled, `| tail` killed), a write to it must
	# not kill this shell before it has stopped the server; CMD gets the default SIGPIPE back.
	trap '' PIPE
	start_server
	export TEST_DATABASE_URL
	status=0
	(
		trap - PIPE
		exec "$@"
	) || status=$?
	exit "$status"
	;;
*)
	echo "usage: $0 run CMD [ARGS...] | start | stop DIR" >&2
	exit 2
	;;
esac
