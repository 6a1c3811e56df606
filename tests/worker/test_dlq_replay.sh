#!/usr/bin/env bash
# test_dlq_replay.sh - dead letters and their replay against the embedded broker (issue 17):
# a replay run twice replays nothing twice, and a record replayed again and again keeps a
# bounded header set; a producer cannot forge meshgate's headers; a dead letter whose value was
# too large to keep is replayed from its origin while that is retained and refused after;
# --revalidate gives the worker's verdict on every record of a mixed stream (plain, binary and
# structured CloudEvents, every reject reason); the Kafka Connect and Streams header names, read
# back by kcat and by `meshgate dlq`; every reason in meshgate.errors; and the command-line
# mistakes, each exit 2 with its message.
#
# Usage: tests/worker/test_dlq_replay.sh BUILD_DIR
set -u
build=${1:-build}
cd "$(dirname "$0")/../.." || exit 2
# shellcheck source=tests/worker/lib.sh
source tests/worker/lib.sh

build_schema
start_broker --topics raw:1,out:1,dlq:1,raw2:1,out2:1,dlq2:1,tgt:1,big.tgt:1,mix.dlq:1,order.dlq:3,connect.dlq:1,streams.dlq:1
write_config "$tmp/worker.yaml"
sed -i 's/^  max_inflight_messages: 5000$/  max_inflight_messages: 5000\n  max_message_bytes: 64KiB/' "$tmp/worker.yaml"
add_route "$tmp/worker.yaml" "input: raw2" "output: out2" "dead_letter: dlq2" "source: urn:meshgate:test2" \
    "tombstones: dead_letter" "dead_letter_headers: all" "dead_letter_errors: 8"
start_worker w
port=$(worker_port "$tmp/w.log")
wait_ready "$port"

dlq() { "$build/meshgate" dlq -b "$bootstrap" "$@" 2>>"$tmp/dlq.log"; }
count() { timeout 30 kcat -C -b "$bootstrap" -t "$1" -o beginning -e -q -f 'x\n' 2>/dev/null | wc -l; }
wait_count() { # TOPIC N: until TOPIC holds N records (60 s at most)
    for _ in $(seq 600); do [ "$(count "$1")" -ge "$2" ] && break; sleep 0.1; done
}
export -f dlq count
export bootstrap tmp build
put() { # TOPIC KEY VALUE [kcat args...]: one record (-Z: an empty VALUE is null)
    local t=$1 k=$2 v=$3
    shift 3
    printf '%s|%s\n' "$k" "$v" | kcat -P -b "$bootstrap" -t "$t" -K '|' "$@"
}

# ---- 17.1: replay twice, nothing twice
put raw bad1 '{"first": "ada", "Last": "L"}'
put raw bad2 '{"first": "A", "Last": "l"}'
put raw bad3 '{"first": "A"}'
wait_count dlq 3
dlq --topic dlq --replay --to tgt >"$tmp/r1.txt"
dlq --topic dlq --replay --to tgt >"$tmp/r2.txt"
sed 's/^/# /' "$tmp/r1.txt" "$tmp/r2.txt"
check "the first replay into tgt sends the 3 dead letters" grep -q '^replayed 3, ' "$tmp/r1.txt"
check "the second replay into tgt sends nothing (its progress was committed)" grep -q '^replayed 0, ' "$tmp/r2.txt"
check "tgt holds each record once (3)" test "$(count tgt)" -eq 3
dlq --topic dlq --replay --to tgt --from beginning --dry-run >"$tmp/r3.txt"
check "--from beginning asks for them again (dry run: 3, nothing sent)" \
    bash -c "grep -q '^would replay 3, ' '$tmp/r3.txt' && [ \$(count tgt) -eq 3 ]"

# ---- 17.1: a record replayed, rejected and replayed again five times: one more dead letter per
# replay, each with its attempt count, and the same header set
for i in 1 2 3 4 5; do
    dlq --topic dlq --replay --key bad1 --max-replays 10 >"$tmp/loop$i.txt"
    wait_count dlq $((3 + i))
    grep -q '^replayed 1, ' "$tmp/loop$i.txt" || echo "# replay $i: $(tail -n 1 "$tmp/loop$i.txt")"
done
check "each of 5 replays into the origin sends exactly 1 record (not 1, 2, 4, 7, ...)" \
    test "$(cat "$tmp"/loop?.txt | grep -c '^replayed 1, ')" -eq 5
check "8 dead letters: 3, then one per replay" test "$(count dlq)" -eq 8
timeout 30 kcat -C -b "$bootstrap" -t dlq -o beginning -e -q -f '%k|%h\n' 2>/dev/null | grep '^bad1|' >"$tmp/bad1.txt"
names() { sed -n "${1}p" "$tmp/bad1.txt" | cut -d'|' -f2 | tr ',' '\n' | sed 's/=.*//' | sort; }
export -f names
check "bad1's dead letters carry attempt counts 1..5" \
    test "$(grep -o 'meshgate.replay_count=[0-9]*' "$tmp/bad1.txt" | tr '\n' ' ')" = \
    "meshgate.replay_count=1 meshgate.replay_count=2 meshgate.replay_count=3 meshgate.replay_count=4 meshgate.replay_count=5 "
check "the fifth attempt's dead letter has the same header names as the first attempt's, each once" \
    bash -c "[ \"\$(names 2)\" = \"\$(names 6)\" ] && [ -z \"\$(names 6 | uniq -d)\" ]"
check "and only meshgate.replay_count more than the original's" \
    test "$(diff <(names 1) <(names 6) | grep -c '^>')" -eq 1
dlq --topic dlq --replay --key bad1 --max-replays 5 --from beginning --dry-run >"$tmp/limit.txt"
check "a record over --max-replays is refused" \
    grep -q '^over replay limit raw/0@[0-9]* bad1 identity: replayed 5 time(s) already' "$tmp/limit.txt"

# ---- 17.4: forged meshgate headers
put raw forged '{"first": "x"}' -H meshgate.reason=forged -H meshgate.replay_count=-100 \
    -H __connect.errors.topic=elsewhere
wait_count dlq 9
timeout 30 kcat -C -b "$bootstrap" -t dlq -o beginning -e -q -f '%k|%h\n' 2>/dev/null | grep '^forged|' >"$tmp/forged.txt"
sed 's/^/# /' "$tmp/forged.txt"
check "a forged meshgate.reason is renamed: one meshgate.reason, the gate's" \
    test "$(grep -o '[a-z._]*meshgate.reason=[a-z]*' "$tmp/forged.txt" | tr '\n' ' ')" = \
    "untrusted.meshgate.reason=forged meshgate.reason=schema "
check "a forged replay count and Connect header are kept visible as untrusted.*" \
    bash -c "grep -q 'untrusted.meshgate.replay_count=-100' '$tmp/forged.txt' && grep -q 'untrusted.__connect.errors.topic=elsewhere' '$tmp/forged.txt' &&
           ! grep -q '[|,]meshgate.replay_count=' '$tmp/forged.txt'"
dlq --topic dlq --replay --key forged --max-replays 0 --from beginning --dry-run >"$tmp/forged-replay.txt"
check "a forged -100 does not get around --max-replays" \
    grep -q '^would replay 0, still invalid 0, over replay limit 1, ' "$tmp/forged-replay.txt"

# ---- 17.7 and 17.8: the route with dead_letter_headers: all and dead_letter_errors: 8
put raw2 many '{"first": "ada", "Last": "lovelace", "Age": 200}'
wait_count dlq2 1
timeout 30 kcat -C -b "$bootstrap" -t dlq2 -o beginning -e -q -c 1 -f '%h\n' 2>/dev/null >"$tmp/interop.txt"
sed 's/^/# /' "$tmp/interop.txt"
for h in __connect.errors.topic=raw2 __connect.errors.partition=0 __connect.errors.offset=0 \
    __connect.errors.connector.name=meshgate __connect.errors.task.id=0 \
    __connect.errors.stage=VALUE_CONVERTER __connect.errors.class.name=meshgate.Gate \
    __connect.errors.exception.class.name=meshgate.reject.schema \
    '__connect.errors.exception.message="ada" does not match pattern ^[A-Z]' \
    __streams.errors.exception=meshgate.reject.schema '__streams.errors.message="ada" does not match' \
    __streams.errors.topic=raw2 __streams.errors.partition=0 __streams.errors.offset=0 \
    __streams.errors.stacktrace=#/properties/first/pattern; do
    check "kcat reads the interop header $h" grep -qF "$h" "$tmp/interop.txt"
done
check "meshgate.errors has the 3 errors in basic output, the first still in the flat headers" \
    bash -c "grep -qF 'meshgate.errors={\"valid\":false,\"errors\":[{\"keywordLocation\":\"/properties/first/pattern\",\"instanceLocation\":\"/first\"' '$tmp/interop.txt' &&
           [ \$(grep -o 'keywordLocation' '$tmp/interop.txt' | wc -l) -eq 3 ] &&
           grep -qF 'meshgate.instance_location=/first,' '$tmp/interop.txt'"
dlq --topic dlq2 --json >"$tmp/interop.json"
check "meshgate dlq --json shows every reason field (errors among them)" \
    grep -qF '"reason":"schema","instance_location":"/first","keyword_location":"#/properties/first/pattern","message":"\"ada\" does not match pattern ^[A-Z]","errors":"{\"valid\":false' "$tmp/interop.json"
# dead letters written by Kafka Connect and by Kafka Streams, read by meshgate dlq
put connect.dlq c1 '{"x": 1}' -H __connect.errors.topic=orders -H __connect.errors.partition=3 \
    -H __connect.errors.offset=42 -H __connect.errors.exception.class.name=org.apache.kafka.connect.errors.DataException \
    -H '__connect.errors.exception.message=Converting byte[] to Kafka Connect data failed' -H trace=t1
put streams.dlq s1 '{"x": 2}' -H __streams.errors.topic=clicks -H __streams.errors.partition=1 \
    -H __streams.errors.offset=7 -H __streams.errors.exception=org.apache.kafka.common.errors.SerializationException \
    -H '__streams.errors.message=Size of data received is not 8'
dlq --topic connect.dlq --topic streams.dlq >"$tmp/foreign.txt"
sed 's/^/# /' "$tmp/foreign.txt"
check "meshgate dlq reads a Kafka Connect dead letter: origin, exception, message" \
    grep -qF ' orders/3@42 c1 - org.apache.kafka.connect.errors.DataException: Converting byte[] to Kafka Connect data failed | {"x": 1}' "$tmp/foreign.txt"
check "meshgate dlq reads a Kafka Streams dead letter: origin, exception, message" \
    grep -qF ' clicks/1@7 s1 - org.apache.kafka.common.errors.SerializationException: Size of data received is not 8 | {"x": 2}' "$tmp/foreign.txt"
dlq --topic connect.dlq --json >"$tmp/foreign.json"
check "--json of a foreign dead letter keeps its own headers" \
    grep -qF '"headers":[{"name":"trace","value":"t1"}]' "$tmp/foreign.json"

# ---- 17.3: --revalidate gives the worker's verdict on a mixed stream (route raw2: tombstones
# dead-lettered). Each record goes through the worker, and a copy of it is put on mix.dlq as a
# dead letter from raw2; --revalidate --dry-run then judges every copy.
n_mix=0
mix() { # KEY VALUE [kcat args...]
    local k=$1 v=$2
    shift 2
    put raw2 "$k" "$v" "$@"
    put mix.dlq "$k" "$v" -H meshgate.origin.topic=raw2 -H meshgate.origin.partition=0 \
        -H meshgate.origin.offset=0 -H meshgate.schema=identity "$@"
    n_mix=$((n_mix + 1))
}
ce=(-H ce_specversion=1.0 -H ce_source=urn:s -H ce_type=t)
st=(-H content-type=application/cloudevents+json)
mix m-plain-ok '{"first": "Ada", "Last": "L"}'
mix m-plain-bad '{"first": "ada", "Last": "L"}'
mix m-syntax '{"first": "Ada", '
mix m-utf8 "$(printf '{"first": "A\xff", "Last": "L"}')"
mix m-number '{"first": "Ada", "Last": "L", "Age": 1e999999}'
mix m-bin-ok '{"first": "Ada", "Last": "L"}' "${ce[@]}" -H ce_id=1
mix m-bin-no-id '{"first": "Ada", "Last": "L"}' "${ce[@]}"
mix m-bin-bad '{"first": "Ada"}' "${ce[@]}" -H ce_id=2
mix m-st-ok '{"specversion": "1.0", "id": "1", "source": "s", "type": "t", "data": {"first": "Ada", "Last": "L"}}' "${st[@]}"
mix m-st-bad '{"specversion": "1.0", "id": "2", "source": "s", "type": "t", "data": {"first": "Ada", "Last": 5}}' "${st[@]}"
mix m-st-nodata '{"specversion": "1.0", "id": "3", "source": "s", "type": "t"}' "${st[@]}"
mix m-st-base64 '{"specversion": "1.0", "id": "4", "source": "s", "type": "t", "data_base64": "e30="}' "${st[@]}"
mix m-tomb '' -Z
wait_count mix.dlq "$n_mix"
for _ in $(seq 600); do [ $(($(count out2) + $(count dlq2))) -ge $((n_mix + 1)) ] && break; sleep 0.1; done
timeout 30 kcat -C -b "$bootstrap" -t out2 -o beginning -e -q -f '%k valid\n' 2>/dev/null >"$tmp/worker.txt"
timeout 30 kcat -C -b "$bootstrap" -t dlq2 -o beginning -e -q -f '%k %h\n' 2>/dev/null |
    sed -n 's/^\(m-[^ ]*\) .*meshgate\.reason=\([a-z_0-9]*\).*/\1 \2/p' >>"$tmp/worker.txt"
dlq --config "$tmp/worker.yaml" --topic mix.dlq --replay --revalidate --dry-run >"$tmp/reval.txt"
{
    sed -n 's/^would replay raw2\/0@0 \(m-[^ ]*\) .*/\1 valid/p' "$tmp/reval.txt"
    sed -n 's/^still invalid raw2\/0@0 \(m-[^ ]*\) identity \([a-z_0-9]*\).*/\1 \2/p' "$tmp/reval.txt"
} >"$tmp/tool.txt"
sort -o "$tmp/worker.txt" "$tmp/worker.txt"
sort -o "$tmp/tool.txt" "$tmp/tool.txt"
paste "$tmp/worker.txt" "$tmp/tool.txt" | sed 's/^/# worker | revalidate: /'
check "the worker judged all $n_mix mixed records" test "$(wc -l <"$tmp/worker.txt")" -eq "$n_mix"
check "--revalidate agrees with the worker on every one of them (verdict and reason)" \
    cmp -s "$tmp/worker.txt" "$tmp/tool.txt"
check "the mix has valid ones and each reject reason it was built for" \
    test "$(cut -d' ' -f2 "$tmp/worker.txt" | sort -u | tr '\n' ' ')" = "cloudevent empty number schema syntax utf8 valid "

# ---- 17.2: a dead letter too large to keep its value (64 KiB limit, 1 MB producer limit)
python3 -c 'print("{\"first\": \"Ada\", \"Last\": \"L\", \"pad\": \"" + "x" * 1200000 + "\"}", end="")' >"$tmp/big.json"
kcat -P -b "$bootstrap" -t raw -k big1 -X message.max.bytes=2000000 "$tmp/big.json"
wait_count dlq 10
timeout 30 kcat -C -b "$bootstrap" -t dlq -o beginning -e -q -f '%k %S %h\n' 2>/dev/null | grep '^big1 ' >"$tmp/big.txt"
cut -c1-300 "$tmp/big.txt" | sed 's/^/# /'
check "the oversize dead letter has no value and says how long it was" \
    grep -qE '^big1 -1 .*meshgate.reason=too_large.*meshgate.value_dropped=1200040' "$tmp/big.txt"
big() { dlq --topic dlq --replay --to big.tgt --key big1 --from beginning -X message.max.bytes=2000000 "$@"; }
big --dry-run >"$tmp/big-dry.txt"
check "while its origin is retained the dry run says it would replay it from there" \
    grep -q '^would replay raw/0@[0-9]* big1 identity to big.tgt (the value from its origin offset)$' "$tmp/big-dry.txt"
big >"$tmp/big-replay.txt"
check "and the replay sends the whole value (1200040 bytes), not an empty one" \
    bash -c "grep -q '^replayed 1, ' '$tmp/big-replay.txt' &&
           [ \"\$(timeout 30 kcat -C -b $bootstrap -t big.tgt -o beginning -e -q -f '%S\n' -X fetch.message.max.bytes=2000000 2>/dev/null)\" = 1200040 ]"
# the worker stops; 6 MB more in raw push the origin out of the partition's newest 5 MiB
term_check "$worker_pid" "the worker"
python3 -c 'print("x" * 1000000)' >"$tmp/mb.txt"
for _ in 1 2 3 4 5 6; do kcat -P -b "$bootstrap" -t raw -k fill -X message.max.bytes=2000000 "$tmp/mb.txt"; done
big --dry-run >"$tmp/big-gone.txt"
sed 's/^/# /' "$tmp/big-gone.txt"
check "once the origin is gone, the dry run refuses it with the reason" \
    grep -q '^not replayable raw/0@[0-9]* big1 identity: its value (1200040 bytes) was too large to keep and offset [0-9]* is no longer in raw/0 (it holds [0-9]*\.\.[0-9]*)$' "$tmp/big-gone.txt"
big >"$tmp/big-gone2.txt"
check "and the replay sends nothing" \
    bash -c "grep -q '^replayed 0, still invalid 0, over replay limit 0, not replayable 1, failed 0$' '$tmp/big-gone2.txt' && [ \$(count big.tgt) -eq 1 ]"

# ---- 17.6: what on-call reads: time order across partitions, key and origin filters, the summary
for pk in 2:first 0:second 1:third 2:fourth; do
    put order.dlq "${pk#*:}" '{}' -p "${pk%%:*}" -H meshgate.reason=syntax
    sleep 0.05 # distinct CreateTime milliseconds
done
dlq --topic order.dlq | cut -d' ' -f3 | tr '\n' ' ' >"$tmp/order.txt"
check "records of several partitions come oldest first ($(cat "$tmp/order.txt"))" \
    test "$(cat "$tmp/order.txt")" = "first second third fourth "
check "--origin-offset 0 selects the one dead letter of raw@0" \
    test "$(dlq --topic dlq --origin-offset 0 | cut -d' ' -f2,3 | tr '\n' ' ')" = "raw/0@0 bad1 "
check "--key selects by key (bad2: 1)" test "$(dlq --topic dlq --key bad2 | wc -l)" -eq 1
dlq --topic dlq --summary >"$tmp/summary.txt"
sed 's/^/# /' "$tmp/summary.txt" | cut -c1-200
check "--summary has a header row and an example per group" \
    bash -c "head -n 1 '$tmp/summary.txt' | grep -Eq '^ +COUNT +REASON +SCHEMA KEYWORD +FIRST +LAST +EXAMPLE$' &&
             grep -Eq '^ +1 +too_large .* raw/0@[0-9]+: message larger than the configured maximum at byte 65536 \| \(value of 1200040 bytes not kept' '$tmp/summary.txt'"
dlq --config "$tmp/worker.yaml" --key many >"$tmp/config-topics.txt"
check "--config reads its routes' dead-letter topics (many is on dlq2)" \
    grep -q '^[0-9T:.Z-]* raw2/0@0 many identity schema ' "$tmp/config-topics.txt"

# ---- 17.5: every command-line mistake exits 2 with its message
mistake() { # DESCRIPTION MESSAGE ARGS...
    local d=$1 want=$2 rc=0
    shift 2
    "$build/meshgate" dlq "$@" >"$tmp/m.out" 2>"$tmp/m.err" || rc=$?
    check "$d: exit 2 ($rc) and says \"$want\"" \
        bash -c "[ $rc -eq 2 ] && grep -qF -- '$want' '$tmp/m.err' && [ ! -s '$tmp/m.out' ]"
}
mistake "an unknown --reason" '--reason: "schmea" is not a reject reason; one of empty, too_large, syntax' \
    -b "$bootstrap" --topic dlq --reason schmea
mistake "a dead-letter topic that does not exist" '--topic nosuch.dlq: no such topic' \
    -b "$bootstrap" --topic nosuch.dlq
check "... and asking did not create it" bash -c "! kcat -L -b $bootstrap 2>/dev/null | grep -q nosuch"
mistake "--from past a partition's end" '--from 30: out of range in dlq/0, which holds offsets 0..' \
    -b "$bootstrap" --topic dlq --from 30
check "... without librdkafka's offset-out-of-range lines" bash -c "! grep -qi 'out of range' '$tmp/m.out'"
mistake "--from below what retention kept" 'out of range in raw/0, which holds offsets' \
    -b "$bootstrap" --topic raw --from 0
mistake "a bad --from" '--from: "yesterday" is not beginning, end, an offset or a time' \
    -b "$bootstrap" --topic dlq --from yesterday
mistake "a bad --until" '--until: "soon" is not a time' -b "$bootstrap" --topic dlq --until soon
mistake "no brokers" '--brokers or --config is required' --topic dlq
mistake "no topic" '--topic is required (or --config)' -b "$bootstrap"
mistake "--to without --replay" '--to goes with --replay' -b "$bootstrap" --topic dlq --to raw
mistake "--dry-run without --replay" '--dry-run goes with --replay' -b "$bootstrap" --topic dlq --dry-run
mistake "--revalidate without --replay" '--revalidate goes with --replay' -b "$bootstrap" --topic dlq --revalidate
mistake "--revalidate without schemas" '--revalidate needs --schemas SET.so' \
    -b "$bootstrap" --topic dlq --replay --revalidate
mistake "--replay with --follow" '--replay cannot be combined with --summary or --follow' \
    -b "$bootstrap" --topic dlq --replay --follow
mistake "a bad --max-replays" '--max-replays: "-1" is not a number >= 0' -b "$bootstrap" --topic dlq --max-replays -1
mistake "a bad --origin-offset" '--origin-offset: "x" is not a number >= 0' -b "$bootstrap" --topic dlq --origin-offset x
mistake "an unknown option" 'unknown option or missing value: --frm' -b "$bootstrap" --topic dlq --frm 1
mistake "a bad -X" '-X nokv: expected KEY=VALUE' -b "$bootstrap" --topic dlq -X nokv
mistake "a --config that does not load" "--config $tmp/none.yaml" --config "$tmp/none.yaml"

finish
