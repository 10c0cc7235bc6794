#!/usr/bin/env bash
# Side-by-side benchmark (issue 11): Trent against the floor server built
# into trent-bench, and against nsmithuk/local-kms if it builds.
#
#   scripts/bench.sh [RESULTS_DIR]
#
# Builds trent and trent-bench, then starts each server in turn, alone,
# pinned to CPU 0 (taskset -c 0), and drives it with trent-bench pinned to
# the other CPUs, over loopback:
#   floor           trent-bench floor (SigV4 verify + JSON + one AES-GCM seal)
#   trent-dev       trent serve --dev (signatures parsed, not verified)
#   trent-verified  trent serve with a root key and an account from
#                   trent create-root-key / trent account create: every
#                   signature verified (the issue's target)
#   local-kms       github.com/nsmithuk/local-kms (no signature checks)
# Each gets RATIO_OPS at CLIENTS; trent-verified and local-kms then get every
# operation at ALL_CLIENTS. Finally the ratio table against the floor.
#
# Knobs (environment): BENCH_DURATION (2s), BENCH_WARMUP (500ms),
# BENCH_CLIENTS (1,16,64), BENCH_RATIO_OPS (Encrypt-32B,Encrypt-4KiB),
# BENCH_ALL_CLIENTS (16), BENCH_ALL_DURATION (1s), BENCH_LOCAL_KMS (1; 0 skips
# it), BENCH_PORT (4100: the first of four loopback ports).
# It takes about 4 minutes on 2 CPUs, most of it the first local-kms build.
set -euo pipefail

duration=${BENCH_DURATION:-2s}
warmup=${BENCH_WARMUP:-500ms}
clients=${BENCH_CLIENTS:-1,16,64}
ratio_ops=${BENCH_RATIO_OPS:-Encrypt-32B,Encrypt-4KiB}
all_clients=${BENCH_ALL_CLIENTS:-16}
all_duration=${BENCH_ALL_DURATION:-1s}
with_local_kms=${BENCH_LOCAL_KMS:-1}
port=${BENCH_PORT:-4100}
local_kms_module=github.com/nsmithuk/local-kms
local_kms_version=v0.0.0-20260228092603-2a5e92d09ab6

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/trent-bench.XXXXXX)
results=${1:-$work/results}
mkdir -p "$results" "$work/bin"
results=$(cd "$results" && pwd)

server_pid=
cleanup() {
	if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT

log() { printf '==> %s\n' "$*" >&2; }

# Pinning: the server on CPU 0, the generator on the rest. A Go server sees
# one CPU in its affinity mask and sets GOMAXPROCS=1 by itself.
ncpu=$(nproc)
server_pin=()
gen_pin=()
if ! command -v taskset >/dev/null; then
	log "taskset not found: servers and generator are NOT pinned"
elif ((ncpu < 2)); then
	log "only $ncpu CPU: servers and generator are NOT pinned"
else
	server_pin=(taskset -c 0)
	gen_pin=(taskset -c "1-$((ncpu - 1))")
fi

log "building trent and trent-bench"
(cd "$repo" && go build -o "$work/bin/trent" ./cmd/trent && go build -o "$work/bin/trent-bench" ./cmd/trent-bench)
bench=$work/bin/trent-bench

have_local_kms=0
if [[ $with_local_kms == 1 ]]; then
	log "building $local_kms_module@$local_kms_version (Go module proxy)"
	if (cd "$work" && GOBIN="$work/bin" GOFLAGS= go install "$local_kms_module@$local_kms_version") >"$work/local-kms-build.log" 2>&1; then
		have_local_kms=1
		echo "$local_kms_module@$local_kms_version" >"$results/local-kms.version"
	else
		log "local-kms did not build (see $work/local-kms-build.log); it is left out"
	fi
fi

# wait_port PORT: until something accepts connections on 127.0.0.1:PORT (10 s).
wait_port() {
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		if ! kill -0 "$server_pid" 2>/dev/null; then log "the server exited"; return 1; fi
		sleep 0.1
	done
	log "nothing listens on 127.0.0.1:$1"
	return 1
}

stop_server() {
	kill "$server_pid"
	wait "$server_pid" 2>/dev/null || true
	server_pid=
}

# gen LABEL PORT OPS CLIENTS DURATION OUTFILE [flags...]
gen() {
	local label=$1 p=$2 ops=$3 c=$4 d=$5 out=$6
	shift 6
	log "$label: $ops at $c clients, $d each"
	"${gen_pin[@]}" "$bench" run --endpoint "http://127.0.0.1:$p" --label "$label" --ops "$ops" --clients "$c" \
		--duration "$d" --warmup "$warmup" --quiet --json "$out" "$@" | tee "${out%.json}.txt"
}

# --- the floor
"${server_pin[@]}" "$bench" floor --listen "127.0.0.1:$port" 2>"$work/floor.log" &
server_pid=$!
wait_port "$port"
gen floor "$port" "$ratio_ops" "$clients" "$duration" "$results/floor.json" \
	--access-key AKIAFLOORBENCHMARK00 --secret-key trent-bench-floor-secret --key-id floor-key
stop_server

# --- Trent, --dev
p=$((port + 1))
"${server_pin[@]}" "$work/bin/trent" serve --dev --data-dir "$work/dev" --listen "127.0.0.1:$p" --log-level warn 2>"$work/trent-dev.log" &
server_pid=$!
wait_port "$p"
gen trent-dev "$p" "$ratio_ops" "$clients" "$duration" "$results/trent-dev.json" --access-key test --secret-key test-secret
stop_server

# --- Trent, verifying every signature
p=$((port + 2))
mkdir -p "$work/verified"
"$work/bin/trent" create-root-key "$work/root.key" 2>/dev/null
"$work/bin/trent" account create --data-dir "$work/verified" --root-key-file "$work/root.key" --name bench >"$work/account.json"
"${server_pin[@]}" "$work/bin/trent" serve --data-dir "$work/verified" --root-key-file "$work/root.key" \
	--listen "127.0.0.1:$p" --log-level warn 2>"$work/trent-verified.log" &
server_pid=$!
wait_port "$p"
gen trent-verified "$p" "$ratio_ops" "$clients" "$duration" "$results/trent-verified.json" --credentials-from "$work/account.json"
gen trent-verified "$p" all "$all_clients" "$all_duration" "$results/trent-verified-all.json" --credentials-from "$work/account.json"
stop_server

# --- local-kms (listens on all interfaces: it has no listen-address setting)
others=("$results/trent-dev.json" "$results/trent-verified.json")
if ((have_local_kms)); then
	p=$((port + 3))
	mkdir -p "$work/local-kms"
	PORT=$p KMS_REGION=us-east-1 KMS_ACCOUNT_ID=111122223333 KMS_DATA_PATH="$work/local-kms" KMS_SEED_PATH="$work/no-seed.yaml" \
		"${server_pin[@]}" "$work/bin/local-kms" >"$work/local-kms.log" 2>&1 &
	server_pid=$!
	wait_port "$p"
	gen local-kms "$p" "$ratio_ops" "$clients" "$duration" "$results/local-kms.json"
	gen local-kms "$p" all "$all_clients" "$all_duration" "$results/local-kms-all.json"
	stop_server
	others+=("$results/local-kms.json")
fi

log "ratios against the floor (ops/s ratio: server/floor; p99 ratio: server/floor)"
"$bench" compare "$results/floor.json" "${others[@]}" | tee "$results/ratios.txt"
if ((have_local_kms)); then
	log "every operation, trent-verified against local-kms at $all_clients clients"
	"$bench" compare "$results/local-kms-all.json" "$results/trent-verified-all.json" | tee "$results/trent-vs-local-kms.txt"
fi
{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "nproc: $ncpu"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "load average (1/5/15 min) before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "go: $(go version)"
	echo "pinned: ${server_pin[*]:-no} (server), ${gen_pin[*]:-no} (generator)"
} >"$results/machine.txt"
log "results in $results"
