#!/usr/bin/env python3
"""Writes the committed seed corpora of the fuzz targets (fuzz/corpus/TARGET/), except the
tokenizer's, which are hand-written. Each seed is a small valid input (plus a few near-misses)
in the target's input layout (see the comment at the top of fuzz/TARGET_fuzz.cc).
    python3 scripts/gen_fuzz_seeds.py
"""
import json
import os
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fuzz", "corpus")


def write(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def safetensors(tensors, metadata=None):
    header, blobs, offset = {}, b"", 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        blobs += raw
        offset += len(raw)
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + blobs


def main():
    f32 = struct.pack("<6f", 0.5, -1.0, 2.0, 0.0, 3.25, -0.125)
    f16 = struct.pack("<6H", 0x3C00, 0xBC00, 0x4000, 0x0000, 0x3800, 0x7BFF)
    bf16 = struct.pack("<6H", 0x3F80, 0xBF80, 0x4000, 0x0000, 0x3F00, 0x4049)
    # A first byte 'T' makes the target look for the tensor "t" (see safetensors_fuzz.cc).
    write("safetensors", "f32_t", b"T" + safetensors({"t": ("F32", [2, 3], f32)}, {"format": "pt"}))
    write("safetensors", "f16_t", b"T" + safetensors({"t": ("F16", [3, 2], f16)}))
    write("safetensors", "bf16_t", b"T" + safetensors({"t": ("BF16", [2, 3], bf16)}))
    write("safetensors", "embed_tokens",
          safetensors({"model.embed_tokens.weight": ("F32", [3, 2], f32),
                       "bert.pooler.dense.bias": ("F32", [2], f32[:8])}))
    write("safetensors", "one_d_t", b"T" + safetensors({"t": ("I64", [1], b"\1" * 8)}))

    vectors = "the 0.1 0.2 -0.3\nof 1e-3 2.5 3\nand -1 -2 -3\n"
    for fmt in range(3):  # auto, GloVe, word2vec text (first byte % 4)
        write("word_vectors", "glove_%d" % fmt, bytes([fmt]) + vectors.encode())
        write("word_vectors", "headed_%d" % fmt, bytes([fmt]) + ("3 3\n" + vectors).encode())
    binary = b"3 2\n" + b"".join(w + b" " + struct.pack("<2f", i, -i) for i, w in
                                 enumerate([b"a", b"bc", b"\xc3\xa9t\xc3\xa9"]))
    write("word_vectors", "binary", bytes([3]) + binary)
    write("word_vectors", "binary_auto", bytes([0]) + binary)
    write("word_vectors", "duplicate_error", bytes([4]) + b"a 1 2\nb 3 4\na 5 6\n")
    write("word_vectors", "limit", bytes([9]) + b"5 1\na 1\nb 2\nc 3\nd 4\ne 5\n")

    lines = ['{"id": "a", "text": "hello world", "lang": "en", "n": 3}',
             '{"id": 7, "text": "caf\\u00e9 \\ud83e\\udd99", "meta": {"x": [1, 2.5, null]}}',
             '', '{"key": "k", "body": "other fields", "lang": "de"}',
             '{"id": "v", "vector": [0.5, -1, 2e3], "text": "t", "meta": {"lang": "fr"}}']
    write("jsonl", "records", b"\0" + "\n".join(lines).encode() + b"\n")
    write("jsonl", "records_options", b"\x0f" + "\n".join(lines).encode())
    write("jsonl", "bad_line_skip", b"\1" + b'{"id": "a", "text": "x"}\n{"id": \n[1]\n')
    write("jsonl", "add_records", b"\0" + b'{"id": "x", "vector": [1, 2, 3]}\n{"id": "", "vector": []}\n')

    csv = 'id,text,lang,n\na,"hello, world",en,3\nb,"multi\nline ""quoted""",de,-2.5\n\nc,plain,fr,true\n'
    for byte in (0, 1, 2, 4, 15):
        write("csv", "rows_%d" % byte, bytes([byte]) + csv.encode())
    write("csv", "crlf", b"\0" + b"key,text\r\nk1,one\r\nk2,two\r\n")
    write("csv", "bad_header", b"\1" + b'id,text,text\na,b,c\n"open,x\n')

    filters = ['{"lang": "en"}', '{"year": {"$gte": 2000, "$lt": 2010}}',
               '{"$or": [{"lang": {"$in": ["de", "fr"]}}, {"ok": true}]}',
               '{"$and": [{"tags": {"$contains": "a"}}, {"meta.x": {"$exists": true}}]}',
               '{"s": {"$regex": "^caf(é|e)$"}, "lang": {"$startswith": "e"}}',
               '{"year": {"$ne": null}, "tags": {"$nin": [3, "z"]}}',
               '{"$or": []}', '{"year": {"$bogus": 1}}']
    for i, f in enumerate(filters):
        write("filter", "filter_%d" % i, f + '\n{"lang": "en", "year": 2005, "tags": ["a"]}')

    queries = ['hello world', '+required -excluded optional', '"a quoted phrase" +"must phrase"',
               'apt.conf e-mail C++ x86_64', 'naïve café 東京タワー', '"unclosed phrase', '+ - " +"-"',
               'Running runners RAN']
    for i, q in enumerate(queries):
        write("query", "query_%d" % i, q)


if __name__ == "__main__":
    main()
