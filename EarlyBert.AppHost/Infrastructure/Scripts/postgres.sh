#!/usr/bin/env bash
# Runs a PostgreSQL server from the machine's binaries in the foreground, creating its cluster on first start.
# Usage: postgres.sh STATE_DIR PORT   (password in EARLYBERT_POSTGRES_PASSWORD)
# The AppHost starts it as an executable resource; ./build.sh test starts it for the tests.
set -euo pipefail

state_dir=$1
port=$2
password=${EARLYBERT_POSTGRES_PASSWORD:?EARLYBERT_POSTGRES_PASSWORD must hold the password of the postgres user}

bin_dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [[ -z "$bin_dir" ]]; then
  echo "PostgreSQL is not installed: apt-get install postgresql" >&2
  exit 1
fi

data_dir="$state_dir/postgres"
mkdir -p "$state_dir"

# initdb and postgres refuse to run as root: run them as the postgres user, which must own the data folder.
as_owner=()
if [[ $(id -u) -eq 0 ]]; then
  as_owner=(setpriv --reuid=postgres --regid=postgres --init-groups)
  if ! setpriv --reuid=postgres --regid=postgres --init-groups test -x "$state_dir"; then
    echo "The postgres user cannot reach $state_dir: every parent folder needs o+x." >&2
    exit 1
  fi
fi

run() { "${as_owner[@]}" "$@"; }

if [[ ! -s "$data_dir/PG_VERSION" ]]; then
  rm -rf "$data_dir"
  mkdir -m 700 "$data_dir"
  [[ ${#as_owner[@]} -gt 0 ]] && chown postgres:postgres "$data_dir"
  run "$bin_dir/initdb" --pgdata="$data_dir" --username=postgres --encoding=UTF8 --locale=C.UTF-8 \
    --auth-local=peer --auth-host=scram-sha-256 >"$state_dir/initdb.log"
fi

# The password is an AppHost parameter that may change between runs: set it on every start (single-user mode,
# before the server listens).
escaped=${password//\'/\'\'}
echo "ALTER USER postgres PASSWORD '$escaped'" | run "$bin_dir/postgres" --single -D "$data_dir" -j postgres >/dev/null

# exec, so that the SIGTERM the AppHost sends on stop reaches the postmaster itself.
exec "${as_owner[@]}" "$bin_dir/postgres" -D "$data_dir" -p "$port" \
  -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c logging_collector=off \
  -c max_connections=200 -c shared_buffers=256MB
