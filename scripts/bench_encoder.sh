#!/usr/bin/env bash
# Sentence-encoder speed, quiver against ONNX Runtime on the same weights, in one run (issue 12):
#   1. the model: a random MiniLM-L6-shaped BertModel as a sentence-transformers directory plus
#      its torch.onnx.export (scripts/bench_encoder/make_model.py, built once into
#      .cache/bench-encoder/minilm-l6-random; the export check it printed is repeated here);
#   2. quiver: build-bench/bench/encoder_harness --model=DIR (fp32, bf16, int8; 1 and 2 threads;
#      sentences/s at 32 x 128 tokens and the latency of one 16-token query);
#   3. ONNX Runtime 1.20.1 (npm onnxruntime-node, CPU provider, all graph optimizations,
#      intra-op threads 1 and 2, inter-op 1): scripts/bench_encoder/ort_bench.mjs, the same
#      shapes. Both sides include mean pooling and L2 normalization in every measurement;
#   4. rounds alternate the order (quiver, ORT, then ORT, quiver, ...), so load from other work
#      on this machine falls on both alike; then the summary table (scripts/bench_encoder/
#      summary.py): best round per system, ratios, GFLOP/s against this CPU's AVX2 FMA peak.
# The raw output (every line) is written to bench/results/issue12_encoder.txt (--out).
# Usage: scripts/bench_encoder.sh [--rounds 3] [--seconds 5] [--out FILE] [--mhz MHZ]
# Environment: QUIVER_BUILD_DIR (default build-bench; encoder_harness is built there if absent).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
rounds=3; seconds=5; out=$root/bench/results/issue12_encoder.txt; mhz=""
while (($#)); do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --mhz) mhz=$2; shift 2 ;;
    *) sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2 ;;
  esac
done
build=${QUIVER_BUILD_DIR:-$root/build-bench}
harness=$build/bench/encoder_harness
model=$root/.cache/bench-encoder/minilm-l6-random
modules=$("$root/scripts/bench_encoder/ort_node.sh")
if [ ! -f "$model/model.onnx" ] || [ ! -f "$model/onnx_check.txt" ]; then
  /usr/bin/python3 "$root/scripts/bench_encoder/make_model.py" "$model" \
    --node-modules "$modules" 2> >(grep -v -e TracerWarning -e '^  ' >&2)
fi
[ -x "$harness" ] || QUIVER_BUILD_DIR=$build bash "$root/scripts/build.sh" encoder_harness >&2
# The clock for the peak: /proc/cpuinfo's "cpu MHz" (the nominal clock in this VM; boost, if
# any, is not visible here and not counted).
[ -n "$mhz" ] || mhz=$(awk -F: '/^cpu MHz/ {print $2+0; exit}' /proc/cpuinfo)

quiver_round() {  # quiver_round ROUND
  "$harness" --model="$model" --seconds="$seconds" | sed "s/^/system=quiver round=$1 /"
}
ort_round() {  # ort_round ROUND
  for t in 1 2; do
    # The harness's protocol: one warm-up batch, >= 2 timed batches for >= $seconds, 5 warm-up
    # queries, 60 timed ones.
    node "$root/scripts/bench_encoder/ort_bench.mjs" --model "$model/model.onnx" \
      --node-modules "$modules" --threads "$t" --min-seconds "$seconds" --min-iters 2 \
      --warmup 1 --latency-warmup 5 --latency-runs 60 | sed "s/^/round=$1 /"
  done
}

mkdir -p "$(dirname "$out")"
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
{
  echo "# scripts/bench_encoder.sh --rounds $rounds --seconds $seconds"
  echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git -C "$root" rev-parse --short HEAD); embed/ and bench/ at the start of the run: $(git -C "$root" diff --quiet HEAD -- embed bench && echo clean || echo 'uncommitted changes')"
  echo "# $harness built $(date -u -r "$harness" +%Y-%m-%dT%H:%M:%SZ)"
  echo "# cpu: $(awk -F: '/^model name/ {print $2; exit}' /proc/cpuinfo | sed 's/^ //'), $(nproc) cores," \
       "cpu MHz $mhz, flags: $(grep -m1 -o -w -e avx2 -e fma -e avx512f /proc/cpuinfo | sort -u | tr '\n' ' ')"
  echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  sed 's/^/# /' "$model/onnx_check.txt"
  for ((r = 1; r <= rounds; ++r)); do
    echo "# round $r, load average $(cut -d' ' -f1-3 /proc/loadavg)"
    if ((r % 2)); then quiver_round "$r"; ort_round "$r"; else ort_round "$r"; quiver_round "$r"; fi
  done
  echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$raw"
echo | tee -a "$raw"
/usr/bin/python3 "$root/scripts/bench_encoder/summary.py" "$raw" --mhz "$mhz" | tee -a "$raw"
cp "$raw" "$out"
echo "raw output: $out" >&2
