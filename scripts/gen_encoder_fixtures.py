"""Generates the transformer-encoder fixtures in tests/fixtures/encoders/.

Each fixture is a complete, tiny sentence-transformers model directory with random weights
(config.json, tokenizer.json, model.safetensors, modules.json, 1_Pooling/config.json,
sentence_bert_config.json, config_sentence_transformers.json, 2_Normalize/ where the model
normalizes), plus expected/<name>.json: for each case the text, the prompt, the token ids that
Hugging Face tokenizers gives (prompt prepended, truncated to max_seq_length) and the pooled
vector of a reference forward pass; for case 0 also the last hidden states.

The reference is Hugging Face BertModel / XLMRobertaModel re-written with plain torch ops
(embedding lookup, F.layer_norm, matmul, softmax, F.gelu with erf), evaluated in float64 on the
weights exactly as stored (F16 / BF16 rounded), so the expectations are the model's exact
values to ~1e-12; quiver's float32 forward pass must match them within 1e-5.

Run with Debian's /usr/bin/python3 (python3-torch) through scripts/gen_encoder_fixtures.sh,
which supplies the tokenizers' Node binding:
  python3 gen_encoder_fixtures.py OUT_DIR TOKENIZER_DATA_DIR NODE_SCRIPT
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile

import torch
import torch.nn.functional as F

TEXTS = [
    "Hello world!",
    "The licensor grants you a worldwide, royalty-free license to use the software.",
    "a",
    "",
    "Naïve café owners in Zürich sell crème brûlée.",
    "This program is free software: you can redistribute it and/or modify it under the terms "
    "of the GNU General Public License as published by the Free Software Foundation, either "
    "version 3 of the License, or (at your option) any later version, and so on and so forth.",
    "Copyright holders provide the work as is, without warranty of any kind.",
    "東京は日本の首都です。",
    "You may not use this file except in compliance with the License.",
    "distribution and modification follow",
]

# name: architecture, sizes, dtype, pooling, normalize, prompts, tokenizer, tensor prefix
MODELS = {
    "minilm-like": dict(arch="BertModel", model_type="bert", hidden=48, layers=2, heads=4,
                        intermediate=96, dtype="F32", pooling="mean", normalize=True,
                        prompts={}, tokenizer="wordpiece_uncased.json", prefix="",
                        max_positions=64, max_seq_length=32, extra_position_ids=True),
    "bge-like": dict(arch="BertModel", model_type="bert", hidden=64, layers=3, heads=4,
                     intermediate=128, dtype="F16", pooling="cls", normalize=True,
                     prompts={}, tokenizer="wordpiece_uncased.json", prefix="bert.",
                     max_positions=64, max_seq_length=40, pooler=True),
    "e5-like": dict(arch="BertModel", model_type="bert", hidden=36, layers=2, heads=3,
                    intermediate=76, dtype="BF16", pooling="mean", normalize=True,
                    prompts={"query": "query: ", "passage": "passage: "},
                    tokenizer="wordpiece_uncased.json", prefix="", max_positions=64,
                    max_seq_length=24),
    "xlmr-like": dict(arch="XLMRobertaModel", model_type="xlm-roberta", hidden=48, layers=2,
                      heads=6, intermediate=128, dtype="F32", pooling="mean", normalize=True,
                      prompts={}, tokenizer="unigram_xlmr.json", prefix="", max_positions=66,
                      max_seq_length=32, pad_token_id=1, type_vocab_size=1),
}

ST_DTYPE = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}
TORCH_DTYPE_NAME = {"F32": "float32", "F16": "float16", "BF16": "bfloat16"}


def write_safetensors(path, tensors):
    """tensors: list of (name, torch tensor); written by hand (header size, JSON, data)."""
    header, chunks, offset = {}, [], 0
    for name, t in tensors:
        t = t.contiguous()
        if t.dtype == torch.bfloat16:
            data = t.view(torch.int16).numpy().astype("<i2").tobytes()
            dtype = "BF16"
        elif t.dtype == torch.float16:
            data = t.numpy().astype("<f2").tobytes()
            dtype = "F16"
        elif t.dtype == torch.int64:
            data = t.numpy().astype("<i8").tobytes()
            dtype = "I64"
        else:
            data = t.numpy().astype("<f4").tobytes()
            dtype = "F32"
        header[name] = {"dtype": dtype, "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little"))
        f.write(text)
        for c in chunks:
            f.write(c)


def random_weights(m, vocab, gen):
    """HF names (no prefix) -> float32 tensors, already rounded to the stored dtype."""
    h, i = m["hidden"], m["intermediate"]
    n = lambda *shape, std=1.0, mean=0.0: torch.randn(*shape, generator=gen) * std + mean
    w = {
        "embeddings.word_embeddings.weight": n(vocab, h),
        "embeddings.position_embeddings.weight": n(m["max_positions"], h, std=0.5),
        "embeddings.token_type_embeddings.weight": n(m.get("type_vocab_size", 2), h, std=0.5),
        "embeddings.LayerNorm.weight": n(h, std=0.1, mean=1.0),
        "embeddings.LayerNorm.bias": n(h, std=0.1),
    }
    for l in range(m["layers"]):
        p = f"encoder.layer.{l}."
        for name, out, inp, gain in [("attention.self.query", h, h, 2.0),
                                     ("attention.self.key", h, h, 2.0),
                                     ("attention.self.value", h, h, 1.0),
                                     ("attention.output.dense", h, h, 1.0),
                                     ("intermediate.dense", i, h, 1.5),
                                     ("output.dense", h, i, 1.0)]:
            w[p + name + ".weight"] = n(out, inp, std=gain / math.sqrt(inp))
            w[p + name + ".bias"] = n(out, std=0.1)
        for name in ["attention.output.LayerNorm", "output.LayerNorm"]:
            w[p + name + ".weight"] = n(h, std=0.1, mean=1.0)
            w[p + name + ".bias"] = n(h, std=0.1)
    dt = ST_DTYPE[m["dtype"]]
    return {k: v.to(dt) for k, v in w.items()}


def reference_states(m, w, ids):
    """Last hidden states [L, H] in float64: HF BertModel / XLMRobertaModel, eval mode."""
    d = {k: v.to(torch.float64) for k, v in w.items()}
    h, heads, eps = m["hidden"], m["heads"], m.get("layer_norm_eps", 1e-12)
    ids = torch.tensor(ids, dtype=torch.long)
    if m["arch"] == "XLMRobertaModel":  # create_position_ids_from_input_ids
        pad = m["pad_token_id"]
        mask = (ids != pad).long()
        pos = torch.cumsum(mask, 0) * mask + pad
    else:
        pos = torch.arange(len(ids))
    x = (d["embeddings.word_embeddings.weight"][ids] +
         d["embeddings.token_type_embeddings.weight"][torch.zeros_like(ids)] +
         d["embeddings.position_embeddings.weight"][pos])
    x = F.layer_norm(x, (h,), d["embeddings.LayerNorm.weight"], d["embeddings.LayerNorm.bias"],
                     eps)
    hd = h // heads
    lin = lambda t, p: t @ d[p + ".weight"].T + d[p + ".bias"]
    for l in range(m["layers"]):
        p = f"encoder.layer.{l}."
        split = lambda t: t.view(-1, heads, hd).transpose(0, 1)  # [heads, L, hd]
        q = split(lin(x, p + "attention.self.query"))
        k = split(lin(x, p + "attention.self.key"))
        v = split(lin(x, p + "attention.self.value"))
        probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd), dim=-1)
        ctx = (probs @ v).transpose(0, 1).reshape(-1, h)
        a = F.layer_norm(lin(ctx, p + "attention.output.dense") + x, (h,),
                         d[p + "attention.output.LayerNorm.weight"],
                         d[p + "attention.output.LayerNorm.bias"], eps)
        inter = F.gelu(lin(a, p + "intermediate.dense"))
        x = F.layer_norm(lin(inter, p + "output.dense") + a, (h,),
                         d[p + "output.LayerNorm.weight"], d[p + "output.LayerNorm.bias"], eps)
    return x


def pool(m, states):
    if m["pooling"] == "cls":
        v = states[0]
    elif m["pooling"] == "max":
        v = states.max(dim=0).values
    elif m["pooling"] == "lasttoken":
        v = states[-1]
    else:
        v = states.mean(dim=0)
    if m["normalize"]:
        v = F.normalize(v, p=2, dim=0)
    return v


def write_model_dir(root, name, m, w, tok_src, vocab):
    out = os.path.join(root, name)
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(os.path.join(out, "1_Pooling"))
    shutil.copyfile(tok_src, os.path.join(out, "tokenizer.json"))
    config = {
        "architectures": [m["arch"]], "model_type": m["model_type"],
        "hidden_size": m["hidden"], "num_hidden_layers": m["layers"],
        "num_attention_heads": m["heads"], "intermediate_size": m["intermediate"],
        "hidden_act": "gelu", "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": m["max_positions"],
        "type_vocab_size": m.get("type_vocab_size", 2), "initializer_range": 0.02,
        "layer_norm_eps": m.get("layer_norm_eps", 1e-12),
        "pad_token_id": m.get("pad_token_id", 0), "vocab_size": vocab,
        "position_embedding_type": "absolute", "use_cache": True,
        "torch_dtype": TORCH_DTYPE_NAME[m["dtype"]], "transformers_version": "4.41.2",
    }
    if m["arch"] == "XLMRobertaModel":
        config.update(bos_token_id=0, eos_token_id=2)
    dump = lambda obj, *p: open(os.path.join(out, *p), "w").write(json.dumps(obj, indent=2) + "\n")
    dump(config, "config.json")
    modules = [{"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
               {"idx": 1, "name": "1", "path": "1_Pooling",
                "type": "sentence_transformers.models.Pooling"}]
    if m["normalize"]:
        os.makedirs(os.path.join(out, "2_Normalize"))
        # Normalize has no files; git keeps no empty directory (readers go by modules.json).
        open(os.path.join(out, "2_Normalize", ".gitkeep"), "w").close()
        modules.append({"idx": 2, "name": "2", "path": "2_Normalize",
                        "type": "sentence_transformers.models.Normalize"})
    dump(modules, "modules.json")
    modes = ["cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens",
             "weightedmean_tokens", "lasttoken"]
    key = {"cls": "cls_token", "mean": "mean_tokens", "max": "max_tokens",
           "lasttoken": "lasttoken"}[m["pooling"]]
    pooling = {"word_embedding_dimension": m["hidden"]}
    pooling.update({"pooling_mode_" + k: k == key for k in modes})
    pooling["include_prompt"] = True
    dump(pooling, "1_Pooling", "config.json")
    dump({"max_seq_length": m["max_seq_length"], "do_lower_case": False},
         "sentence_bert_config.json")
    dump({"__version__": {"sentence_transformers": "3.0.1", "transformers": "4.41.2",
                          "pytorch": "2.3.0"},
          "prompts": m["prompts"], "default_prompt_name": None, "similarity_fn_name": "cosine"},
         "config_sentence_transformers.json")
    tensors = [(m["prefix"] + k, v) for k, v in w.items()]
    if m.get("extra_position_ids"):  # a buffer old checkpoints carry; readers must skip it
        tensors.append(("embeddings.position_ids", torch.arange(m["max_positions"])[None]))
    if m.get("pooler"):  # BertModel's pooler, unused by sentence-transformers
        h = m["hidden"]
        tensors.append((m["prefix"] + "pooler.dense.weight", torch.zeros(h, h).to(ST_DTYPE[m["dtype"]])))
        tensors.append((m["prefix"] + "pooler.dense.bias", torch.zeros(h).to(ST_DTYPE[m["dtype"]])))
    write_safetensors(os.path.join(out, "model.safetensors"), tensors)


def tokenize(node_script, requests):
    with tempfile.TemporaryDirectory() as tmp:
        req, res = os.path.join(tmp, "req.json"), os.path.join(tmp, "res.json")
        json.dump(requests, open(req, "w"))
        subprocess.run(["node", node_script, req, res], check=True)
        return json.load(open(res))


def cases_of(m):
    """(prompt name or None, prompt, text) per case."""
    if m["prompts"]:
        out = []
        for j, t in enumerate(TEXTS):
            name = "query" if j % 2 == 0 else "passage"
            out.append((name, m["prompts"][name], t))
        return out
    return [(None, "", t) for t in TEXTS]


def main():
    out_root, tok_dir, node_script = sys.argv[1:4]
    os.makedirs(os.path.join(out_root, "expected"), exist_ok=True)
    for index, (name, m) in enumerate(MODELS.items()):
        tok_src = os.path.join(tok_dir, m["tokenizer"])
        if not os.path.exists(tok_src):
            print(f"skipping {name}: {tok_src} is missing", file=sys.stderr)
            continue
        tok = json.load(open(tok_src))
        vocab = len(tok["model"]["vocab"])
        gen = torch.Generator().manual_seed(1000 + index)
        w = random_weights(m, vocab, gen)
        write_model_dir(out_root, name, m, w, tok_src, vocab)
        cases = cases_of(m)
        ids = tokenize(node_script, [{"tokenizer": tok_src, "max_length": m["max_seq_length"],
                                      "text": p + t} for _, p, t in cases])
        records = []
        for (pname, prompt, text), seq in zip(cases, ids):
            records.append({"text": text, "prompt_name": pname, "prompt": prompt, "ids": seq})
        records.append({"text": None, "prompt_name": None, "prompt": "", "ids": [ids[0][0]],
                        "note": "length 1: the first special token alone"})
        for j, r in enumerate(records):
            states = reference_states(m, w, r["ids"])
            r["pooled"] = [float(v) for v in pool(m, states)]
            if j == 0:
                r["last_hidden_state"] = [[float(v) for v in row] for row in states]
        expected = {"model": name, "reference": "torch float64 on the stored weights",
                    "pooling": m["pooling"], "normalize": m["normalize"],
                    "max_seq_length": m["max_seq_length"], "cases": records}
        with open(os.path.join(out_root, "expected", name + ".json"), "w") as f:
            json.dump(expected, f, indent=1)
            f.write("\n")
        print(f"{name}: {len(records)} cases, lengths {[len(r['ids']) for r in records]}")


if __name__ == "__main__":
    main()
