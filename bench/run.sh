#!/usr/bin/env bash
# run.sh - what `make bench` runs: every workload through meshgate, simdjson parse alone and
# the peers (ajv, valijson), the verdict agreement check, the ReDoS row (bench/redos.c), the
# pipeline through the embedded broker (gate against passthrough), HTTP ingest with wrk
# (bench/http/run.sh), and file mode; then a
# table, bench/results/latest.json
# (the previous one kept beside it, named by its date) and plots.
#
# Design: each workload is bench/workloads/W/W.schema.json plus a deterministic generator
# build/bench/gen-W; a workload without its generator is skipped and said so. Every
# implementation reads the same generated file. A peer that is not installed is reported as
# missing, never guessed. Numbers are printed as measured.
#
# Usage: bench/run.sh BUILD_DIR. Environment: BENCH_QUICK=1 uses smaller inputs;
# BENCH_ONLY=NAME runs one part only (a workload, recursive, bigschema, redos, pipeline or http) and reports it into
# BUILD_DIR/bench-run instead of bench/results (the latest results stay whole).
set -euo pipefail
build=${1:-build}
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$build/bench-run
mkdir -p "$out" bench/results
quick=${BENCH_QUICK:-}
only=${BENCH_ONLY:-}
want() { [ -z "$only" ] || [ "$only" = "$1" ]; }

declare -A count=([identity]=200000 [order]=50000 [bulk]=1500 [strict]=200000)
[ -n "$quick" ] && count=([identity]=20000 [order]=5000 [bulk]=200 [strict]=20000)
declare -A vcap=([bulk]=60) vrepeat=([bulk]=1)
results=$out/results.txt
: >"$results"

ajv_ok=
if command -v node >/dev/null && [ -f bench/peers/ajv/run.js ]; then
    [ -d bench/peers/ajv/node_modules ] || npm install --silent --prefix bench/peers/ajv >/dev/null
    ajv_ok=1
fi
valijson=$build/bench/valijson_run
[ -x "$valijson" ] || make --no-print-directory "$valijson" >/dev/null 2>&1 || true

for w in identity order bulk strict; do
    want "$w" || continue
    schema=bench/workloads/$w/$w.schema.json
    [ "$w" = identity ] && schema=examples/identity/identity.schema.json
    gen=$build/bench/gen-$w
    if [ ! -x "$gen" ] || [ ! -f "$schema" ]; then
        echo "bench: workload $w: no generator or schema yet, skipped" | tee -a "$results"
        continue
    fi
    echo "== workload $w (${count[$w]} messages)"
    "$gen" --seed 42 --count "${count[$w]}" --invalid-fraction 0.1 >"$out/$w.ndjson"
    "$build/meshgate-codegen" -o "$out/$w" "$schema"
    cc -std=c11 -O2 -shared -fPIC -DMG_SHARED_OBJECT -Ivalidator -o "$out/$w.so" "$out/$w.c" \
        "$build/libmgvalidator.a" -lsimdjson -lidn2 -lstdc++ -lm
    name=$(basename "$schema" .schema.json)
    "$build/bench/mgbench" --schemas "$out/$w.so" --schema "$name" --lines "$out/$w.ndjson" \
        --workload "$w" --verdicts "$out/$w.meshgate.v" | tee -a "$results"
    if [ -n "$ajv_ok" ]; then
        node bench/peers/ajv/run.js "$schema" "$out/$w.ndjson" "$out/$w.ajv.v" --repeat 3 |
            sed "s/^/workload=$w /" | tee -a "$results"
    else
        echo "workload=$w impl=ajv missing" | tee -a "$results"
    fi
    if grep -Eq '"(unevaluatedProperties|unevaluatedItems|dependentSchemas|\$dynamicRef)"' "$schema"; then
        # valijson 1.0 reads schemas as draft-07: these 2019-09/2020-12 keywords would be
        # ignored, so its verdicts (and speed) would be for another schema.
        echo "workload=$w impl=valijson skipped: the schema needs 2019-09/2020-12 keywords valijson does not have" |
            tee -a "$results"
        rm -f "$out/$w.valijson.v"
    elif [ -x "$valijson" ]; then
        vin=$out/$w.ndjson
        if [ -n "${vcap[$w]:-}" ]; then
            # valijson builds a std::regex for every pattern check: on the bulk documents
            # (hundreds of patterns each) the whole file took over 8 minutes, so it gets the
            # first messages only; its verdicts are compared on those.
            head -n "${vcap[$w]}" "$out/$w.ndjson" >"$out/$w.valijson.ndjson"
            vin=$out/$w.valijson.ndjson
            echo "bench: valijson on the first ${vcap[$w]} $w messages only (std::regex per check)" |
                tee -a "$results"
        fi
        "$valijson" "$schema" "$vin" "$out/$w.valijson.v" --repeat "${vrepeat[$w]:-3}" |
            sed "s/^/workload=$w /" | tee -a "$results"
    else
        echo "workload=$w impl=valijson missing" | tee -a "$results"
    fi
    for peer in ajv valijson; do
        [ -f "$out/$w.$peer.v" ] || continue
        d=$(head -n "$(wc -l <"$out/$w.$peer.v")" "$out/$w.meshgate.v" |
            paste -d' ' - "$out/$w.$peer.v" | awk '$1 != $2 { print NR }')
        n=$(echo -n "$d" | grep -c . || true)
        echo "workload=$w agreement=$peer disagreements=$n" | tee -a "$results"
        for l in $(echo "$d" | head -n 5); do
            echo "  line $l: meshgate $(sed -n "${l}p" "$out/$w.meshgate.v"), $peer $(sed -n "${l}p" "$out/$w.$peer.v"): $(sed -n "${l}p" "$out/$w.ndjson" | cut -c1-200)"
        done
    done
done

if want recursive; then
    # Issue 13: a recursive oneOf over a $ref evaluates every level in both branches. With the
    # memo the time per message must grow polynomially with the depth; without it (and
    # without a budget) it doubles with every level, so it is measured so up to depth 20 only;
    # at 40 and 80 it runs with the default step budget, which rejects it as limit.
    echo "== recursive oneOf: time per message by depth, with and without the memo"
    w=recursive
    "$build/meshgate-codegen" -o "$out/$w" "bench/workloads/$w/$w.schema.json"
    cc -std=c11 -O2 -shared -fPIC -DMG_SHARED_OBJECT -Ivalidator -o "$out/$w.so" "$out/$w.c" \
        "$build/libmgvalidator.a" -lsimdjson -lidn2 -lstdc++ -lm
    rcount=$((quick ? 2000 : 20000))
    for memo in on off; do
        depths="10 20 40 80"
        [ "$memo" = off ] && depths="10 14 18 20 40 80"
        for d in $depths; do
            n=$rcount
            [ "$memo" = off ] && n=$((d <= 14 ? rcount / 10 : 20))
            budget=(--max-steps 1000000000000)
            [ "$d" -ge 40 ] && budget=()
            python3 -c "import sys; d, n = int(sys.argv[1]), int(sys.argv[2]); sys.stdout.write(('[' * d + ']' * d + '\n') * n)" \
                "$d" "$n" >"$out/$w-$d.ndjson"
            "$build/bench/mgbench" --schemas "$out/$w.so" --schema "$w" --lines "$out/$w-$d.ndjson" \
                --workload "$w-$d" --memo "$memo" "${budget[@]}" --repeat 3 |
                grep impl=meshgate | sed "s/^/recursive depth=$d memo=$memo /" | tee -a "$results"
        done
    done
fi

if want bigschema; then
    # Issue 16 item 11: how long the biggest schemas take to build. Each: the C codegen writes
    # (bytes of BASE.c, its parts and BASE.int.h; functions, of them shared; translation
    # units) and the wall and CPU time (cc's included) of `meshgate-codegen --so` at -O2, which
    # compiles the parts in parallel, one per online CPU (the target: none over 10 s wall
    # here). The load average is printed beside them: the machine is shared. The schemas: the
    # largest of ../shared (ODCS, a Prometheus-operator CRD) and a generated one shaped like
    # the biggest public ones (bench/workloads/bigschema/gen_schema.py, BIGSCHEMA_RESOURCES
    # resources, default 50: 5.2 MB of C before issue 16 item 11).
    echo "== big schemas: codegen, C size and --so -O2 build time"
    python3 bench/workloads/bigschema/gen_schema.py --resources "${BIGSCHEMA_RESOURCES:-50}" \
        >"$out/bigschema.schema.json"
    for schema in ../shared/odcs/schema/odcs-json-schema-v3.1.0.json \
        ../shared/k8s-schemas/monitoring.coreos.com/servicemonitor_v1.json \
        "$out/bigschema.schema.json"; do
        [ -f "$schema" ] || { echo "bench: $schema missing, skipped" | tee -a "$results"; continue; }
        name=$(basename "$schema" .json)
        base=$out/big-$name
        rm -f "$base".c "$base".[0-9]*.c "$base".int.h
        t0=$(date +%s.%N)
        "$build/meshgate-codegen" -o "$base" --prefix big "$schema" 2>/dev/null
        t1=$(date +%s.%N)
        load=$(cut -d' ' -f1 /proc/loadavg)
        TIMEFORMAT='%R %U %S'
        so_times=$({ time CFLAGS=-O2 "$build/meshgate-codegen" -o "$base" --prefix big \
            --so "$base.so" "$schema" 2>/dev/null; } 2>&1)
        read -r so_wall so_user so_sys <<<"$so_times"
        parts=("$base".c "$base".[0-9]*.c)
        [ -e "${parts[1]}" ] || parts=("$base".c)
        defs=$(cat "${parts[@]}" | grep -cE '^(static )?bool mg(v|sh)_[A-Za-z0-9_]*\(mg_ctx \*c, uint32_t at, uint64_t \*ev[^;]*$' || true)
        shared=$(cat "${parts[@]}" | grep -cE '^(static )?bool mgsh_[0-9a-f]*\(mg_ctx \*c, uint32_t at, uint64_t \*ev[^;]*$' || true)
        echo "bigschema schema=$name schema_bytes=$(stat -c %s "$schema")" \
            "c_bytes=$(cat "${parts[@]}" $(ls "$base".int.h 2>/dev/null) | wc -c)" \
            "functions=$defs shared=$shared tus=${#parts[@]} jobs=$(nproc)" \
            "codegen_s=$(echo "$t1 - $t0" | bc)" "so_O2_wall_s=$so_wall" \
            "so_O2_cpu_s=$(echo "$so_user + $so_sys" | bc)" "load=$load" | tee -a "$results"
    done
    # What the object tables cost or save at run time: the generated schema's messages
    # (gen_schema.py --messages, every tenth broken) through the default output (objects from
    # tables, as above) and through the code form (--tables never), alternately.
    python3 bench/workloads/bigschema/gen_schema.py --resources "${BIGSCHEMA_RESOURCES:-50}" \
        --messages "${BIGSCHEMA_MESSAGES:-4000}" >"$out/bigschema.ndjson"
    base=$out/big-bigschema.schema
    CFLAGS=-O2 "$build/meshgate-codegen" -o "$base-code" --prefix big --tables never \
        --so "$base-code.so" "$out/bigschema.schema.json" 2>/dev/null
    [ -x "$build/bench/mgbench" ] || make --no-print-directory "$build/bench/mgbench" >/dev/null
    for round in 1 2; do
        for form in tables code; do
            so=$base.so
            [ "$form" = tables ] || so=$base-code.so
            "$build/bench/mgbench" --schemas "$so" --schema bigschema --lines "$out/bigschema.ndjson" \
                --workload "bigschema-$form" --repeat 3 | grep impl=meshgate |
                sed "s/^/bigschema-validate form=$form round=$round /" | tee -a "$results"
        done
    done
fi

if want redos; then
    echo "== ReDoS: patterns that are exponential for backtracking engines, on hostile strings"
    redos=$build/bench/mgredos
    [ -x "$redos" ] || make --no-print-directory "$redos" >/dev/null
    "$redos" ${quick:+--quick} | tee -a "$results"
fi

if want pipeline; then
    echo "== pipeline through the embedded broker (identity)"
    bench/pipeline.sh "$build" "${PIPELINE_COUNT:-200000}" |
        sed 's/^/pipeline /' | tee -a "$results"
fi

if want http; then
    echo "== HTTP ingest with wrk: gate, passthrough and a Node.js peer (identity)"
    bench/http/run.sh "$build" "${HTTP_SECONDS:-10}" | sed 's/^/http /' | tee -a "$results"
fi

if [ -z "$only" ]; then # it reads the identity workload's schema set
    echo "== file mode: meshgate validate over NDJSON against plain reading"
    lines=$((quick ? 200000 : 7000000))
    "$build/bench/gen-identity" --seed 7 --count "$lines" --invalid-fraction 0.1 >"$out/file.ndjson"
    size=$(stat -c %s "$out/file.ndjson")
    t0=$(date +%s.%N)
    cat "$out/file.ndjson" >/dev/null
    t1=$(date +%s.%N)
    "$build/meshgate" validate --quiet --schemas "$out/identity.so" --schema identity \
        "$out/file.ndjson" >/dev/null || true
    t2=$(date +%s.%N)
    echo "file bytes=$size read_mb_per_s=$(echo "$size / ($t1 - $t0) / 1000000" | bc)" \
        "validate_mb_per_s=$(echo "$size / ($t2 - $t1) / 1000000" | bc)" | tee -a "$results"
    rm -f "$out/file.ndjson"
fi

if [ -n "$only" ]; then
    bench/report.py "$results" "$out"
else
    bench/report.py "$results" bench/results
fi
