#!/usr/bin/env bash
# Clang's thread-safety analysis over every library module: each source is compiled
# syntax-only with the flags CMake uses, plus -Wthread-safety -Werror (two at a time).
# Usage: scripts/check_thread_safety.sh [BUILD_DIR]   (needs compile_commands.json there)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${QUIVER_BUILD_DIR:-$root/build}}
clangxx=$(command -v clang++ || command -v clang++-14 || true)
if [ -z "$clangxx" ]; then
  echo "check_thread_safety: clang++ not found (scripts/setup.sh installs clang)" >&2
  exit 1
fi
/usr/bin/python3 - "$build/compile_commands.json" "$root" "$clangxx" <<'PY'
import concurrent.futures, json, shlex, subprocess, sys
commands_path, root, clangxx = sys.argv[1:4]
modules = ("util/", "storage/", "index/", "text/", "tokenizer/", "embed/", "ingest/", "engine/")
entries = [e for e in json.load(open(commands_path))
           if any(e["file"].startswith(f"{root}/{m}") for m in modules)]
if not entries:
    sys.exit(f"check_thread_safety: no module sources in {commands_path}")
def check(entry):
    args = shlex.split(entry["command"]) if "command" in entry else entry["arguments"]
    # Drop the launcher and compiler, the output and the GCC-only flags; keep -I, -D, -std.
    args = [a for a in args[1:] if a not in ("ccache",)]
    while args and not args[0].startswith("-"):
        args = args[1:]
    kept, skip = [], False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-o", "-c", "-MF", "-MT", "-MQ"):
            skip = a != "-c"
            continue
        if a.startswith(("-M", "-fno-fat-lto", "-flto")) or a == entry["file"]:
            continue
        kept.append(a)
    cmd = [clangxx, "-fsyntax-only", "-Wthread-safety", "-Wthread-safety-beta",
           "-Werror=thread-safety", "-Werror=thread-safety-beta", "-Wno-unknown-warning-option",
           *kept, entry["file"]]
    result = subprocess.run(cmd, cwd=entry["directory"], capture_output=True, text=True)
    return result.returncode, result.stderr

failed = 0
with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
    for code, stderr in pool.map(check, entries):
        if code != 0:
            failed += 1
            sys.stderr.write(stderr)
clean = len(entries) - failed
# The analysis must be on: a probe with a deliberate violation has to fail.
probe = f"{root}/tests/build_checks/thread_safety_violation.cc"
result = subprocess.run([clangxx, "-std=c++20", "-fsyntax-only", "-Wthread-safety",
                         "-Werror=thread-safety", f"-I{root}", probe],
                        capture_output=True, text=True)
caught = result.returncode != 0 and "requires holding" in result.stderr
if not caught:
    failed += 1
    sys.stderr.write("check_thread_safety: the violation probe was not caught\n" + result.stderr)
print(f"check_thread_safety: {clean} of {len(entries)} sources clean; "
      f"violation probe caught: {'yes' if caught else 'NO'}")
sys.exit(1 if failed else 0)
PY
