"""Builds the model of the sentence-encoder benchmark (scripts/bench_encoder.sh).

A random model shaped like all-MiniLM-L6-v2 (BertModel: 6 layers, hidden 384, 12 heads,
intermediate 1536, vocab 30522, 512 positions), as a complete sentence-transformers model
directory (config.json, tokenizer.json, model.safetensors, modules.json, 1_Pooling/config.json
mean, 2_Normalize, sentence_bert_config.json with max_seq_length 256,
config_sentence_transformers.json), plus model.onnx: the same network exported by
torch.onnx.export (inputs input_ids, attention_mask, token_type_ids, int64 [batch, sequence],
both axes dynamic; output last_hidden_state [batch, sequence, 384]; opset 14).

Reused from scripts/gen_encoder_fixtures.py (the encoder tests' reference): the weight
distribution (random_weights, seeded), the model directory writer (write_model_dir, which
writes the safetensors by hand) and the reference forward pass (reference_states: HF BertModel
in plain torch ops, float64, one unpadded sequence). That reference handles one sequence without
a mask, so it cannot be traced with dynamic batch and sequence axes; ExportableBert below is
the batched, masked form of the same network for torch.onnx.export, and the export is checked
against reference_states: ONNX Runtime's last_hidden_state (through check_onnx.mjs) on full
and padded batches, max abs diff printed and written to DIR/onnx_check.txt.

The tokenizer is tests/tokenizer/data/wordpiece_uncased.json extended to 30,522 entries with
words and ##-pieces of the English text installed on this machine (see vocab.py).

Run with Debian's /usr/bin/python3 (python3-torch 1.13, python3-onnx):
  python3 make_model.py OUT_DIR --node-modules DIR [--seed 1]
OUT_DIR is replaced; it is built beside itself under OUT_DIR.tmp first.
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
sys.path.insert(0, HERE)
import gen_encoder_fixtures as fixtures  # noqa: E402
import vocab as vocab_builder  # noqa: E402

MINILM_L6 = dict(arch="BertModel", model_type="bert", hidden=384, layers=6, heads=12,
                 intermediate=1536, dtype="F32", pooling="mean", normalize=True, prompts={},
                 prefix="", max_positions=512, max_seq_length=256)
VOCAB_SIZE = 30522
INPUTS = ["input_ids", "attention_mask", "token_type_ids"]


class ExportableBert(torch.nn.Module):
    """HF BertModel's forward (eval) over [batch, sequence] with an attention mask, float32."""

    def __init__(self, m, w):
        super().__init__()
        self.heads, self.layers, self.hidden = m["heads"], m["layers"], m["hidden"]
        self.eps = m.get("layer_norm_eps", 1e-12)
        self.w = torch.nn.ParameterDict(
            {k.replace(".", "__"): torch.nn.Parameter(v.float(), requires_grad=False)
             for k, v in w.items()})

    def p(self, name):
        return self.w[name.replace(".", "__")]

    def norm(self, x, name):
        return F.layer_norm(x, (self.hidden,), self.p(name + ".weight"), self.p(name + ".bias"),
                            self.eps)

    def lin(self, x, name):
        return x @ self.p(name + ".weight").T + self.p(name + ".bias")

    def forward(self, input_ids, attention_mask, token_type_ids):
        batch, length = input_ids.shape
        positions = torch.arange(length, dtype=torch.long).unsqueeze(0)
        x = (self.p("embeddings.word_embeddings.weight")[input_ids] +
             self.p("embeddings.token_type_embeddings.weight")[token_type_ids] +
             self.p("embeddings.position_embeddings.weight")[positions])
        x = self.norm(x, "embeddings.LayerNorm")
        hidden = self.hidden
        hd = hidden // self.heads
        # HF's extended attention mask: 0 where attended, the dtype's minimum where masked.
        bias = (1.0 - attention_mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        for l in range(self.layers):
            p = f"encoder.layer.{l}."
            split = lambda t: t.view(batch, length, self.heads, hd).transpose(1, 2)
            q = split(self.lin(x, p + "attention.self.query"))
            k = split(self.lin(x, p + "attention.self.key"))
            v = split(self.lin(x, p + "attention.self.value"))
            probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd) + bias, dim=-1)
            ctx = (probs @ v).transpose(1, 2).reshape(batch, length, hidden)
            a = self.norm(self.lin(ctx, p + "attention.output.dense") + x,
                          p + "attention.output.LayerNorm")
            inter = F.gelu(self.lin(a, p + "intermediate.dense"))
            x = self.norm(self.lin(inter, p + "output.dense") + a, p + "output.LayerNorm")
        return x


def check_batches(gen):
    """(name, input_ids, attention_mask) batches: the benchmark's shapes and a padded one."""
    def ids(n):
        return [2] + torch.randint(1000, VOCAB_SIZE, (n - 2,), generator=gen).tolist() + [3]
    full = [ids(128), ids(128)]
    lengths = [16, 9, 3]
    padded = [ids(n) + [0] * (16 - n) for n in lengths]
    mask = [[1] * n + [0] * (16 - n) for n in lengths]
    return [("2x128", full, [[1] * 128] * 2), ("3x16-padded", padded, mask)]


def check_export(m, w, onnx_path, module, node_modules, gen):
    """Max abs diffs of ORT and of the export module against the float64 reference."""
    batches = check_batches(gen)
    request = [{"input_ids": i, "attention_mask": a, "token_type_ids": [[0] * len(i[0])] * len(i)}
               for _, i, a in batches]
    with tempfile.TemporaryDirectory() as tmp:
        req, res = os.path.join(tmp, "req.json"), os.path.join(tmp, "res.json")
        json.dump(request, open(req, "w"))
        subprocess.run(["node", os.path.join(HERE, "check_onnx.mjs"), onnx_path, req, res,
                        node_modules], check=True)
        results = json.load(open(res))
    lines, worst = [], 0.0
    for (name, ids, mask), r in zip(batches, results):
        ort = torch.tensor(r["data"], dtype=torch.float64).view(*r["dims"])
        with torch.no_grad():
            mine = module(torch.tensor(ids), torch.tensor(mask),
                          torch.zeros(len(ids), len(ids[0]), dtype=torch.long)).double()
        d_ort = d_mine = d_pool = 0.0
        for b, (row, row_mask) in enumerate(zip(ids, mask)):
            n = sum(row_mask)
            ref = fixtures.reference_states(m, w, row[:n])
            d_ort = max(d_ort, (ort[b, :n] - ref).abs().max().item())
            d_mine = max(d_mine, (mine[b, :n] - ref).abs().max().item())
            pooled = F.normalize(ort[b, :n].mean(0), dim=0)
            d_pool = max(d_pool, (pooled - fixtures.pool(m, ref)).abs().max().item())
        worst = max(worst, d_ort)
        lines.append(f"onnx_check batch={name} max_abs_diff_ort_vs_reference={d_ort:.3e} "
                     f"max_abs_diff_torch_fp32_vs_reference={d_mine:.3e} "
                     f"max_abs_diff_pooled_ort_vs_reference={d_pool:.3e}")
    return lines, worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--node-modules", required=True, help="holds onnxruntime-node")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    parent, name = os.path.dirname(out), os.path.basename(out)
    tmp_name = name + ".tmp"
    tmp = os.path.join(parent, tmp_name)
    os.makedirs(parent, exist_ok=True)

    counts = vocab_builder.english_word_counts()
    tokenizer = vocab_builder.build_tokenizer(
        os.path.join(ROOT, "tests", "tokenizer", "data", "wordpiece_uncased.json"), VOCAB_SIZE,
        counts)
    gen = torch.Generator().manual_seed(args.seed)
    m = MINILM_L6
    w = fixtures.random_weights(m, VOCAB_SIZE, gen)
    with tempfile.TemporaryDirectory() as t:
        tok_path = os.path.join(t, "tokenizer.json")
        with open(tok_path, "w", encoding="utf-8") as f:
            json.dump(tokenizer, f, ensure_ascii=False)
        fixtures.write_model_dir(parent, tmp_name, m, w, tok_path, VOCAB_SIZE)

    module = ExportableBert(m, w).eval()
    example = (torch.tensor([[2, 1000, 2000, 3]] * 2), torch.ones(2, 4, dtype=torch.long),
               torch.zeros(2, 4, dtype=torch.long))
    onnx_path = os.path.join(tmp, "model.onnx")
    with torch.no_grad():
        torch.onnx.export(module, example, onnx_path, input_names=INPUTS,
                          output_names=["last_hidden_state"], opset_version=14,
                          dynamic_axes={n: {0: "batch", 1: "sequence"}
                                        for n in INPUTS + ["last_hidden_state"]})
    import onnx
    onnx.checker.check_model(onnx_path)
    lines, worst = check_export(m, w, onnx_path, module, args.node_modules, gen)
    lines.insert(0, f"model dir={out} layers={m['layers']} hidden={m['hidden']} "
                    f"heads={m['heads']} intermediate={m['intermediate']} vocab={VOCAB_SIZE} "
                    f"seed={args.seed} torch={torch.__version__} onnx={onnx.__version__} opset=14")
    with open(os.path.join(tmp, "onnx_check.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    if worst > 1e-3:
        sys.exit(f"make_model: the ONNX export differs from the reference by {worst:.3e}")
    if os.path.exists(out):
        shutil.rmtree(out)
    os.rename(tmp, out)


if __name__ == "__main__":
    main()
