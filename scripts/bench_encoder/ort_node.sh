#!/usr/bin/env bash
# Prints the node_modules directory holding ONNX Runtime's Node binding (onnxruntime-node
# 1.20.1, which ships the Linux x64 CPU library), installing it from the npm registry into
# .cache/bench-encoder first when it is not there yet. Used by scripts/bench_encoder.sh.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dir="$root/.cache/bench-encoder"
mkdir -p "$dir"
[ -f "$dir/package.json" ] || echo '{"private": true}' >"$dir/package.json"
if [ ! -f "$dir/node_modules/onnxruntime-node/package.json" ]; then
  # The CPU library is inside the tarball; the package's install script only downloads the
  # CUDA provider from GitHub (unreachable here, and not wanted), so it is skipped.
  (cd "$dir" && ONNXRUNTIME_NODE_INSTALL_CUDA=skip \
     npm install --no-audit --no-fund --silent --ignore-scripts onnxruntime-node@1.20.1) >&2
fi
echo "$dir/node_modules"
