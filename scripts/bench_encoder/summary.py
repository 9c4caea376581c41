"""Summary table of a scripts/bench_encoder.sh run, from its raw key=value lines.

  python3 summary.py RAW.txt --mhz 2445 [--layers 6 --hidden 384 --intermediate 1536]

Throughput (sentences/s at 32 x 128 tokens) and latency (1 x 16 tokens, median and p90 of
the calls) are taken per round; the tables show the best round of each system (highest
sentences/s, lowest median latency) and the ratios of the best figures, and also the median
over rounds of the per-round ratio (quiver and ONNX Runtime ran back to back in each round, so
that ratio is the one least affected by other load on the machine).

GFLOP/s counts the forward pass only: per layer 2*T*(4*h^2 + 2*h*i) for the matrix products
and 4*T*T*h for attention (scores and context) for a sequence of T tokens; embeddings, layer
norms, GELU, softmax and pooling are not counted. Peak = 2 FMA pipes x 8 float lanes (AVX2)
x 2 flops x clock per core, times the threads: the fp32 peak, also for bf16 (widened to fp32
here) and int8 (whose integer multiply-adds could go beyond it).
"""
import argparse
import collections
import statistics


def parse(path):
    rows = []
    for line in open(path, encoding="utf-8"):
        fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
        if "system" in fields and "round" in fields:
            rows.append(fields)
    return rows


def flops(tokens, layers, hidden, inter):
    return layers * (2 * tokens * (4 * hidden * hidden + 2 * hidden * inter) +
                     4 * tokens * tokens * hidden)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("raw")
    ap.add_argument("--mhz", type=float, required=True)
    ap.add_argument("--layers", type=int, default=6)
    ap.add_argument("--hidden", type=int, default=384)
    ap.add_argument("--intermediate", type=int, default=1536)
    args = ap.parse_args()
    rows = parse(args.raw)
    # (system, threads) -> round -> value
    tput = collections.defaultdict(dict)
    lat = collections.defaultdict(dict)
    cos = {}
    shape = {}
    for r in rows:
        name = "ort" if r["system"] == "ort" else "quiver " + r.get("precision", "?")
        if "cosine_to_fp32_min" in r:
            cos[name] = (r["cosine_to_fp32_min"], r["cosine_to_fp32_mean"])
            continue
        key = (name, int(r["threads"]))
        if "sentences_per_s" in r:
            tput[key][r["round"]] = float(r["sentences_per_s"])
            shape["tput"] = (r["batch"], r.get("length", r.get("seq")))
        elif "latency_ms_median" in r or "p50_ms" in r:
            p50 = float(r.get("latency_ms_median", r.get("p50_ms")))
            p90 = float(r.get("latency_ms_p90", r.get("p90_ms")))
            lat[key][r["round"]] = (p50, p90)
            shape["lat"] = (r["batch"], r.get("length", r.get("seq")))
    systems = ["quiver fp32", "quiver bf16", "quiver int8", "ort"]
    threads = sorted({t for _, t in tput} | {t for _, t in lat})
    ghz = args.mhz / 1000
    peak_core = 2 * 8 * 2 * ghz
    tb, tl = shape.get("tput", ("32", "128")), shape.get("lat", ("1", "16"))
    f_tput = flops(int(tb[1]), args.layers, args.hidden, args.intermediate) / 1e9
    f_lat = flops(int(tl[1]), args.layers, args.hidden, args.intermediate) / 1e9

    def best_t(key):
        v = tput.get(key)
        return max(v.values()) if v else None

    def best_l(key):
        v = lat.get(key)
        return min(v.values()) if v else None

    def round_ratio(a, b, table, pick):
        common = sorted(set(table.get(a, {})) & set(table.get(b, {})))
        if not common:
            return None
        return statistics.median(pick(table[a][r]) / pick(table[b][r]) for r in common)

    fmt = lambda v, spec=".1f": "—" if v is None else format(v, spec)
    out = []
    out.append(f"Peak assumed: 2 FMA x 8 fp32 lanes x 2 flops x {ghz:.3f} GHz = "
               f"{peak_core:.1f} GFLOP/s per core (clock: /proc/cpuinfo 'cpu MHz'; "
               f"boost not counted).")
    out.append(f"Forward FLOPs: {f_tput:.3f} GFLOP per {tb[1]}-token sequence, "
               f"{f_lat:.4f} GFLOP per {tl[1]}-token query.")
    out.append("")
    out.append(f"Throughput, {tb[0]} x {tb[1]} tokens (sentences/s, best round; GFLOP/s; % of "
               "peak for the threads used):")
    out.append("| system | threads | sentences/s | rounds | GFLOP/s | % peak |")
    out.append("|---|---:|---:|---|---:|---:|")
    for t in threads:
        for s in systems:
            b = best_t((s, t))
            if b is None:
                continue
            g = b * f_tput
            rounds = " ".join(fmt(v) for _, v in sorted(tput[(s, t)].items()))
            out.append(f"| {s} | {t} | {b:.1f} | {rounds} | {g:.1f} | "
                       f"{100 * g / (peak_core * t):.0f}% |")
    out.append("")
    out.append(f"Latency, {tl[0]} x {tl[1]} tokens (ms, best round by median):")
    out.append("| system | threads | median ms | p90 ms | GFLOP/s at the median |")
    out.append("|---|---:|---:|---:|---:|")
    for t in threads:
        for s in systems:
            b = best_l((s, t))
            if b is None:
                continue
            out.append(f"| {s} | {t} | {b[0]:.2f} | {b[1]:.2f} | {f_lat / b[0] * 1e3:.1f} |")
    out.append("")
    out.append("Ratios (best / best; in brackets the median over rounds of the per-round ratio):")
    out.append("| ratio | threads | throughput | latency (median, lower is better) |")
    out.append("|---|---:|---:|---:|")
    pairs = [("quiver fp32", "ort", "quiver fp32 / ORT"),
             ("quiver bf16", "quiver fp32", "quiver bf16 / quiver fp32"),
             ("quiver int8", "quiver fp32", "quiver int8 / quiver fp32"),
             ("quiver int8", "ort", "quiver int8 / ORT")]
    for t in threads:
        for a, b, label in pairs:
            ta, tb_ = best_t((a, t)), best_t((b, t))
            la, lb = best_l((a, t)), best_l((b, t))
            if ta is None or tb_ is None:
                continue
            rt = round_ratio((a, t), (b, t), tput, lambda v: v)
            rl = round_ratio((a, t), (b, t), lat, lambda v: v[0])
            lat_s = "—" if la is None or lb is None else f"{la[0] / lb[0]:.2f} [{fmt(rl, '.2f')}]"
            out.append(f"| {label} | {t} | {ta / tb_:.2f} [{fmt(rt, '.2f')}] | {lat_s} |")
    if cos:
        out.append("")
        for s, (mn, mean) in sorted(cos.items()):
            out.append(f"{s}: cosine of pooled vectors to fp32, min {mn}, mean {mean} "
                       "(last round)")
    print("\n".join(out))


if __name__ == "__main__":
    main()
