#!/usr/bin/env bash
# run.sh NAME SECONDS MALLOC_MB - one libFuzzer target for a time: its corpus grows in
# build/fuzz/corpus/NAME from the seeds in build/fuzz/seeds/NAME; an allocation over
# MALLOC_MB, a leak, a sanitizer report or a broken property is a crash, saved as
# build/fuzz/crash-NAME-* (replay: build/fuzz/NAME_fuzzer FILE). Prints one summary line.
set -euo pipefail
name=$1 seconds=$2 malloc_mb=$3
dir=build/fuzz
mkdir -p "$dir/corpus/$name"
log="$dir/$name.log"
status=0
"$dir/${name}_fuzzer" -max_total_time="$seconds" -malloc_limit_mb="$malloc_mb" -rss_limit_mb=2560 \
  -timeout=30 -print_final_stats=1 -artifact_prefix="$dir/crash-$name-" \
  "$dir/corpus/$name" "$dir/seeds/$name" > "$log" 2>&1 || status=$?
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
corpus=$(ls "$dir/corpus/$name" | wc -l)
if [ "$status" -ne 0 ]; then
  echo "fuzz $name: CRASH after ${execs:-?} runs (see $log)" >&2
  grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz: |.*runtime error)|Test unit written' "$log" | head -5 >&2
  exit 1
fi
echo "fuzz $name: ${seconds}s, ${execs:-?} runs, no crash, corpus $corpus"
