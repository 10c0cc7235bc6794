#!/usr/bin/env bash
# Side-by-side benchmark (issue 11): Trent against the floor server built
# into trent-bench, and against nsmithuk/local-kms if it builds.
#
#   scripts/bench.sh [RESULTS_DIR]
#
# The servers, all started at once, each pinned to CPU 0 (taskset -c 0; an
# idle server costs nothing), each on its own loopback port:
#   floor           trent-bench floor (SigV4 verify + JSON + one AES-GCM
#                   seal or open; Encrypt, Decrypt and GenerateDataKey only)
#   trent-dev       trent serve --dev (signatures parsed, not verified)
#   trent-verified  trent serve with a root key and an account from
#                   trent create-root-key / trent account create: every
#                   signature verified (the issue's target)
#   local-kms       github.com/nsmithuk/local-kms (no signature checks)
# The generator runs pinned to the other CPUs.
#
# Why rounds: this VM's core speeds up and slows down by up to 40% within
# a minute, so one server measured after another gives ratios that are
# noise. Instead, BENCH_ROUNDS short rounds: in each, every server in turn
# (the order rotates by one each round) gets BENCH_RATIO_OPS at
# BENCH_CLIENTS, with --server-pid so the server's CPU time per request is
# measured too. Each round is compared on its own (every server against
# the floor; trent-dev against local-kms), and `trent-bench median` then
# gives each ratio's median, min and max over the rounds. The floor lacks
# DescribeKey (no cryptography, nothing for a floor to define), so it is
# not sent there and those rows are simply absent from the floor
# comparison. Before the rounds, one discarded round warms every server
# (in one run, the first two rounds found all three servers that keep
# data at half speed while the floor was not). After the rounds,
# trent-verified and local-kms get every
# operation once at BENCH_ALL_CLIENTS (CreateKey adds thousands of keys,
# which is why this comes last).
#
# Knobs (environment): BENCH_ROUNDS (5), BENCH_DURATION (2s), BENCH_WARMUP
# (500ms), BENCH_CLIENTS (64), BENCH_RATIO_OPS
# (Encrypt-32B,Decrypt-32B,GenerateDataKey,DescribeKey), BENCH_ALL_CLIENTS
# (16), BENCH_ALL_DURATION (1s), BENCH_LOCAL_KMS (1; 0 leaves it out),
# BENCH_PORT (4100: the first of four loopback ports).
# With the defaults it takes about 5 minutes on 2 CPUs: about 40 s per
# round, 1 minute for the every-operation pass, and the builds (local-kms's
# first build about 40 s more).
set -euo pipefail

rounds=${BENCH_ROUNDS:-5}
duration=${BENCH_DURATION:-2s}
warmup=${BENCH_WARMUP:-500ms}
clients=${BENCH_CLIENTS:-64}
ratio_ops=${BENCH_RATIO_OPS:-Encrypt-32B,Decrypt-32B,GenerateDataKey,DescribeKey}
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

# Per server: its port, process ID, operations and generator flags.
declare -A srv_port srv_pid srv_ops srv_flags
servers=()
cleanup() {
	local s
	for s in "${!srv_pid[@]}"; do kill "${srv_pid[$s]}" 2>/dev/null || true; done
	for s in "${!srv_pid[@]}"; do wait "${srv_pid[$s]}" 2>/dev/null || true; done
}
trap cleanup EXIT

log() { printf '==> %s\n' "$*" >&2; }

# Pinning: the servers on CPU 0, the generator on the rest. A Go server
# sees one CPU in its affinity mask and sets GOMAXPROCS=1 by itself.
# taskset execs the server, so $! is the server's own process ID, which
# --server-pid reads the CPU time of.
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

# wait_port LABEL: until the server accepts connections on its port (10 s).
wait_port() {
	local s=$1
	for _ in $(seq 100); do
		if (exec 3<>"/dev/tcp/127.0.0.1/${srv_port[$s]}") 2>/dev/null; then return 0; fi
		if ! kill -0 "${srv_pid[$s]}" 2>/dev/null; then log "$s exited (see $work/$s.log)"; return 1; fi
		sleep 0.1
	done
	log "nothing listens on 127.0.0.1:${srv_port[$s]} for $s"
	return 1
}

# gen LABEL OPS CLIENTS DURATION OUTFILE: one generator run against LABEL.
gen() {
	local s=$1 ops=$2 c=$3 d=$4 out=$5
	local -a flags
	read -r -a flags <<<"${srv_flags[$s]}"
	log "$s: $ops at $c clients, $d each"
	"${gen_pin[@]}" "$bench" run --endpoint "http://127.0.0.1:${srv_port[$s]}" --label "$s" --ops "$ops" --clients "$c" \
		--duration "$d" --warmup "$warmup" --quiet --server-pid "${srv_pid[$s]}" --json "$out" "${flags[@]}" |
		tee "${out%.json}.txt"
}

# The floor serves only Encrypt-*, Decrypt-* and GenerateDataKey.
floor_ops=$(tr ',' '\n' <<<"$ratio_ops" | grep -E '^(Encrypt-|Decrypt-|GenerateDataKey$)' | paste -sd, - || true)

# --- start every server
if [[ -n $floor_ops ]]; then
	servers+=(floor)
	srv_port[floor]=$port
	"${server_pin[@]}" "$bench" floor --listen "127.0.0.1:$port" 2>"$work/floor.log" &
	srv_pid[floor]=$!
	srv_ops[floor]=$floor_ops
	srv_flags[floor]="--access-key AKIAFLOORBENCHMARK00 --secret-key trent-bench-floor-secret --key-id floor-key"
else
	log "no operation in BENCH_RATIO_OPS that the floor serves: no floor comparison"
fi

servers+=(trent-dev)
srv_port[trent-dev]=$((port + 1))
"${server_pin[@]}" "$work/bin/trent" serve --dev --data-dir "$work/dev" --listen "127.0.0.1:$((port + 1))" \
	--log-level warn 2>"$work/trent-dev.log" &
srv_pid[trent-dev]=$!
srv_ops[trent-dev]=$ratio_ops
srv_flags[trent-dev]="--access-key test --secret-key test-secret"

servers+=(trent-verified)
srv_port[trent-verified]=$((port + 2))
mkdir -p "$work/verified"
"$work/bin/trent" create-root-key "$work/root.key" 2>/dev/null
"$work/bin/trent" account create --data-dir "$work/verified" --root-key-file "$work/root.key" --name bench >"$work/account.json"
"${server_pin[@]}" "$work/bin/trent" serve --data-dir "$work/verified" --root-key-file "$work/root.key" \
	--listen "127.0.0.1:$((port + 2))" --log-level warn 2>"$work/trent-verified.log" &
srv_pid[trent-verified]=$!
srv_ops[trent-verified]=$ratio_ops
srv_flags[trent-verified]="--credentials-from $work/account.json"

# local-kms listens on all interfaces: it has no listen-address setting.
if ((have_local_kms)); then
	servers+=(local-kms)
	srv_port[local-kms]=$((port + 3))
	mkdir -p "$work/local-kms"
	PORT=$((port + 3)) KMS_REGION=us-east-1 KMS_ACCOUNT_ID=111122223333 KMS_DATA_PATH="$work/local-kms" \
		KMS_SEED_PATH="$work/no-seed.yaml" "${server_pin[@]}" "$work/bin/local-kms" >"$work/local-kms.log" 2>&1 &
	srv_pid[local-kms]=$!
	srv_ops[local-kms]=$ratio_ops
	srv_flags[local-kms]=""
fi

for s in "${servers[@]}"; do wait_port "$s"; done
log "servers: $(for s in "${servers[@]}"; do printf '%s (pid %s, port %s) ' "$s" "${srv_pid[$s]}" "${srv_port[$s]}"; done)"

# --- a discarded warm-up round: every server gets the same load once
log "warm-up round (discarded)"
for s in "${servers[@]}"; do
	gen "$s" "${srv_ops[$s]}" "$clients" "$duration" "$work/warmup-$s.json" >/dev/null
done

# --- rounds
vs_floor=()
vs_local_kms=()
n=${#servers[@]}
for r in $(seq "$rounds"); do
	dir=$results/round-$r
	mkdir -p "$dir"
	log "round $r of $rounds"
	for i in $(seq 0 $((n - 1))); do
		s=${servers[$(((i + r - 1) % n))]}
		gen "$s" "${srv_ops[$s]}" "$clients" "$duration" "$dir/$s.json"
	done
	if [[ -n ${srv_pid[floor]:-} ]]; then
		others=()
		for s in "${servers[@]}"; do [[ $s == floor ]] || others+=("$dir/$s.json"); done
		"$bench" compare --json "$dir/vs-floor.json" "$dir/floor.json" "${others[@]}" | tee "$dir/vs-floor.txt"
		vs_floor+=("$dir/vs-floor.json")
	fi
	if ((have_local_kms)); then
		"$bench" compare --json "$dir/vs-local-kms.json" "$dir/local-kms.json" "$dir/trent-dev.json" | tee "$dir/vs-local-kms.txt"
		vs_local_kms+=("$dir/vs-local-kms.json")
	fi
done

# --- every operation once
gen trent-verified all "$all_clients" "$all_duration" "$results/trent-verified-all.json"
if ((have_local_kms)); then
	gen local-kms all "$all_clients" "$all_duration" "$results/local-kms-all.json"
fi

# --- summaries
if ((${#vs_floor[@]})); then
	log "against the floor, median [min–max] over $rounds rounds (ops/s and cpu/op ratios: above 1 is better than the floor; p99 ratio: below 1 is)"
	"$bench" median --json "$results/median-vs-floor.json" "${vs_floor[@]}" | tee "$results/median-vs-floor.txt"
fi
if ((have_local_kms)); then
	log "trent-dev against local-kms, median [min–max] over $rounds rounds"
	"$bench" median --json "$results/median-vs-local-kms.json" "${vs_local_kms[@]}" | tee "$results/median-vs-local-kms.txt"
	log "every operation, trent-verified against local-kms at $all_clients clients (one run each)"
	"$bench" compare "$results/local-kms-all.json" "$results/trent-verified-all.json" | tee "$results/trent-vs-local-kms.txt"
fi
{
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "nproc: $ncpu"
	echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
	echo "load average (1/5/15 min) before: $load_before; after: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "go: $(go version)"
	echo "pinned: ${server_pin[*]:-no} (servers), ${gen_pin[*]:-no} (generator)"
	echo "rounds: $rounds of $ratio_ops at $clients clients, $duration each after $warmup warm-up; servers: ${servers[*]}"
} >"$results/machine.txt"
log "results in $results"
