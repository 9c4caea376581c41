#!/usr/bin/env bash
# Renders the English man pages installed on this machine to plain text, one JSON line per page:
#   {"id": "ls.1", "name": "ls", "section": "1", "description": "list directory contents",
#    "text": "<the rendered page without its header, footer and NAME section>"}
# The description is what follows " - " on the page's NAME line (what `whatis` shows).
#
# Usage: scripts/render_manpages.sh OUT.jsonl [--sections 1,8] [--limit N] [--jobs 2]
#                                   [--min-chars 200] [--man-root /usr/share/man]
#   --sections   man sections to read, from <man-root>/man<S> only (not the translated dirs)
#   --limit N    keep N pages (0, the default, keeps all). The selection is deterministic and
#                varied: pages are grouped in families by the name's first word (git-*, gcloud_*,
#                llvm-*, ...), every family gives its first page before any gives a second, and
#                ties are broken by a hash of the page id, so one package with thousands of pages
#                cannot crowd out the rest and the sample is not alphabetical.
#   --jobs       parallel groff pipelines (default 2)
#   --min-chars  skip pages whose body has fewer non-blank characters (default 200)
# Skipped: pages that are only a `.so` redirect, byte-identical copies (symlinks, hard links,
# alternatives) and pages whose body renders identically to one already kept, pages with no
# "name - description" NAME line, tiny pages, pages groff cannot render.
# Output lines are sorted by id. Counts, groff warnings and timing go to stderr; the last line is
# a one-line summary. Pages are rendered with groff directly (as man -l does, without man-db's
# per-page overhead): UTF-8, 78 columns, no hyphenation, no justification.
set -euo pipefail

usage() { sed -n '2,/^set -e/{/^#/s/^# \{0,1\}//p}' "$0" >&2; exit 2; }
out=""; sections="1,8"; limit=0; jobs=2; min_chars=200; man_root=/usr/share/man
while (($#)); do
  case "$1" in
    --sections) sections=$2; shift 2 ;;
    --limit) limit=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --min-chars) min_chars=$2; shift 2 ;;
    --man-root) man_root=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "render_manpages: unknown option $1" >&2; usage ;;
    *) [ -z "$out" ] || usage; out=$1; shift ;;
  esac
done
[ -n "$out" ] || usage
[[ "$limit" =~ ^[0-9]+$ && "$jobs" =~ ^[1-9][0-9]*$ && "$min_chars" =~ ^[0-9]+$ ]] || usage
for tool in groff preconv tbl; do
  command -v "$tool" >/dev/null || { echo "render_manpages: $tool is missing (apt-get install groff-base)" >&2; exit 1; }
done

export LC_ALL=C.UTF-8
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/r"
t0=$(date +%s%N)

# 1. Plan: list the pages, drop redirect stubs and duplicates, order them for selection.
#    Writes <index>\t<path>\t<id>\t<name>\t<section> lines in selection order.
"$py" - "$man_root" "$sections" > "$work/plan.tsv" <<'PY'
import bz2, gzip, hashlib, lzma, os, re, sys
root, sections = sys.argv[1], [s for s in sys.argv[2].split(",") if s]
openers = {".gz": gzip.open, ".xz": lzma.open, ".lzma": lzma.open, ".bz2": bz2.open}
pages, seen, stubs, dups, odd = [], set(), 0, 0, 0
for sect in sections:
    d = os.path.join(root, "man" + sect)
    if not os.path.isdir(d):
        print(f"render_manpages: no directory {d}", file=sys.stderr)
        continue
    # Regular files first, so a symlink to a page is the copy that gets dropped.
    entries = sorted(os.listdir(d), key=lambda e: (os.path.islink(os.path.join(d, e)), e))
    for entry in entries:
        path = os.path.join(d, entry)
        if not os.path.isfile(path):
            odd += 1
            continue
        base, ext = os.path.splitext(entry)
        if ext not in openers:
            base, ext = entry, ""
        m = re.fullmatch(r"(.+)\.(" + re.escape(sect) + r"[^.]*)", base)
        if not m:
            odd += 1
            continue
        try:
            with (openers[ext](path) if ext else open(path, "rb")) as f:
                data = f.read()
        except (OSError, EOFError, lzma.LZMAError):
            odd += 1
            continue
        lines = [l.strip() for l in data.splitlines()]
        lines = [l for l in lines if l and not re.match(rb"^[.'][ \t]*\\[\"#]", l) and l != b"."]
        if lines and all(l.startswith(b".so ") or l.startswith(b".so\t") for l in lines):
            stubs += 1
            continue
        digest = hashlib.sha1(data).digest()
        if digest in seen:
            dups += 1
            continue
        seen.add(digest)
        name, section = m.group(1), m.group(2)
        pages.append((name, section, path, f"{name}.{section}"))

def h(s):
    return hashlib.md5(s.encode()).hexdigest()
families = {}
for p in pages:
    families.setdefault(re.split(r"[-_.]", p[0].lower())[0] or p[0], []).append(p)
order = []
for fam in families.values():
    fam.sort(key=lambda p: h(p[3]))
    order += [(rank, h(p[3]), p) for rank, p in enumerate(fam)]
order.sort()
for i, (_, _, (name, section, path, pid)) in enumerate(order):
    if any(c in "\t\n" for c in path + pid):
        continue
    print(f"{i}\t{path}\t{pid}\t{name}\t{section}")
print(f"render_manpages: {len(pages)} distinct pages in {len(families)} families "
      f"(skipped {stubs} .so redirects, {dups} duplicate files, {odd} unreadable or oddly named)",
      file=sys.stderr)
PY
planned=$(wc -l < "$work/plan.tsv")

# 2. Render: one groff pipeline per page, $jobs at a time, 32 pages per worker shell. The
#    prelude turns off justification and hyphenation for good (pages that ask for them again get
#    the no-op macros); grotty -cbou writes plain text (the odd overstrike is dropped in step 3).
printf '.ad l\n.de ad\n..\n.nh\n.de hy\n..\n' > "$work/prelude.roff"
render_one() {  # render_one INDEX PATH: writes $work/r/INDEX.txt and INDEX.err
  local cat=cat
  case "$2" in *.gz) cat="gzip -dc" ;; *.xz|*.lzma) cat="xz -dc" ;; *.bz2) cat="bzip2 -dc" ;; esac
  $cat -- "$2" 2>"$work/r/$1.err" \
    | groff -k -t -mandoc -Tutf8 -rLL=78n -rLT=78n -P-cbou "$work/prelude.roff" - \
      >"$work/r/$1.txt" 2>>"$work/r/$1.err" || true
}
export -f render_one
export work

# 3. Assemble: parse the rendered pages in selection order, keep the first $limit good ones,
#    write them sorted by id. Prints the number kept on stdout; counts go to $work/counts.
assemble() {
  "$py" - "$work" "$out" "$limit" "$min_chars" <<'PY'
import hashlib, json, os, re, sys
work, out, limit, min_chars = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
heading = re.compile(r"^\S")
title = re.compile(r"^\S.*\(.+\)\s*$|^\S.*\s{2,}\S.*\s{2,}\S.*$")   # "LS(1)   User Commands   LS(1)"
overstrike = re.compile(r"[^\x08]?\x08")                           # "X<BS>Y" shows Y, as col -b
dash = re.compile(r"\s+[-\u2010-\u2015\u2212]{1,2}\s+")
kept, bodies = [], set()
skip = {"no description": 0, "tiny": 0, "duplicate body": 0, "render failed": 0}
warn_lines = warn_pages = rendered = 0
for line in open(os.path.join(work, "plan.tsv"), encoding="utf-8"):
    idx, path, pid, name, section = line.rstrip("\n").split("\t")
    txt = os.path.join(work, "r", idx + ".txt")
    if not os.path.exists(txt):
        break                                   # not rendered yet: the next batch
    rendered += 1
    with open(os.path.join(work, "r", idx + ".err"), encoding="utf-8", errors="replace") as f:
        err = [l for l in f if l.strip()]
    if err:
        warn_lines += len(err)
        warn_pages += 1
    if limit and len(kept) >= limit:
        continue
    with open(txt, encoding="utf-8", errors="replace") as f:
        lines = [overstrike.sub("", l).expandtabs().rstrip() for l in f]
    while lines and not lines[0]: lines.pop(0)
    while lines and not lines[-1]: lines.pop()
    if not lines:
        skip["render failed"] += 1
        continue
    if title.match(lines[0]): lines.pop(0)
    if lines and title.match(lines[-1]): lines.pop()
    # The NAME section: from a "NAME" heading to the next unindented line.
    start = next((i for i, l in enumerate(lines) if l.strip().upper() == "NAME" and heading.match(l)), None)
    description = ""
    if start is not None:
        end = start + 1
        while end < len(lines) and not (lines[end] and heading.match(lines[end])):
            end += 1
        joined = ""
        for l in lines[start + 1:end]:            # a name broken at its own hyphen rejoins
            l = l.strip()
            joined += ("" if re.search(r"\w[-\u2010]$", joined) else " ") + l if joined else l
        parts = dash.split(" ".join(joined.split()), maxsplit=1)
        if len(parts) == 2:
            description = parts[1].strip()
        lines = lines[:start] + lines[end:]
    if not description:
        skip["no description"] += 1
        continue
    body, blank = [], True
    for l in lines:                               # drop blank runs
        if l or not blank:
            body.append(l)
        blank = not l
    text = "\n".join(body).strip("\n")
    if len("".join(text.split())) < min_chars:
        skip["tiny"] += 1
        continue
    digest = hashlib.sha1(text.encode()).digest()
    if digest in bodies:
        skip["duplicate body"] += 1
        continue
    bodies.add(digest)
    kept.append({"id": pid, "name": name, "section": section, "description": description, "text": text})
kept.sort(key=lambda p: p["id"])
tmp = out + ".tmp"
with open(tmp, "w", encoding="utf-8") as f:
    for p in kept:
        f.write(json.dumps(p, ensure_ascii=False) + "\n")
os.replace(tmp, out)
with open(os.path.join(work, "counts"), "w") as f:
    f.write(f"rendered {rendered}; skipped " + ", ".join(f"{v} {k}" for k, v in skip.items())
            + f"; groff warnings: {warn_lines} lines from {warn_pages} pages\n")
print(len(kept))
PY
}

done_n=0; kept=0; render_ns=0
next=$planned
((limit)) && next=$((limit + limit / 50 + 20))   # ~1% of pages are skipped
while ((done_n < planned)); do
  ((next > planned)) && next=$planned
  t1=$(date +%s%N)
  sed -n "$((done_n + 1)),${next}p" "$work/plan.tsv" | cut -f1,2 | tr '\t\n' '\0\0' \
    | xargs -0 -n64 -P"$jobs" bash -c 'while (($#)); do render_one "$1" "$2"; shift 2; done' _
  render_ns=$((render_ns + $(date +%s%N) - t1))
  echo "render_manpages: rendered $next of $planned pages" >&2
  done_n=$next
  kept=$(assemble)
  ((limit == 0 || kept >= limit)) && break
  next=$((done_n + (limit - kept) * 3 / 2 + 20))
done
((done_n)) || kept=$(assemble)

total_ms=$((($(date +%s%N) - t0) / 1000000)); render_ms=$((render_ns / 1000000))
per_k=$((done_n ? render_ms * 10 / done_n : 0))   # tenths of ms per page = s/10 per 1000 pages
echo "render_manpages: $(cat "$work/counts")" >&2
printf 'render_manpages: wrote %d pages to %s in %d.%01d s (groff: %d pages in %d.%01d s with %d jobs = %d.%d s per 1000 pages)\n' \
  "$kept" "$out" $((total_ms / 1000)) $((total_ms % 1000 / 100)) "$done_n" $((render_ms / 1000)) \
  $((render_ms % 1000 / 100)) "$jobs" $((per_k / 10)) $((per_k % 10)) >&2
