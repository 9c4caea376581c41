#!/usr/bin/python3
# Trains a small sentencepiece unigram model on human-written Debian text (the license texts in
# /usr/share/common-licenses and a few man pages) and converts it into a Hugging Face
# tokenizer.json the way transformers' convert_slow_tokenizer.XLMRobertaConverter does for
# XLM-R (e.g. intfloat/multilingual-e5-small): vocab <s>=0 <pad>=1 </s>=2 <unk>=3, then the
# sentencepiece pieces from id 3 on with their scores, then <mask>; normalizer Sequence
# [Precompiled(the model's nmt_nfkc charsmap), Replace(" {2,}" -> " ")]; pre-tokenizer and
# decoder Metaspace ("▁", prepend_scheme "always", split true); post-processor
# TemplateProcessing "<s> $A </s>". Writes OUT_DIR/unigram_xlmr.json. Needs Debian's
# python3-sentencepiece (0.1.97); run through scripts/gen_unigram_fixture.sh, which also derives
# the variants (RobertaProcessing, truncation, byte fallback) in gen_unigram_fixture.mjs.
#   gen_unigram_fixture.py OUT_DIR
import base64
import gzip
import io
import json
import os
import re
import sys

import sentencepiece as spm
from sentencepiece import sentencepiece_model_pb2 as model_pb2

LICENSES = ['Apache-2.0', 'Artistic', 'GPL-3', 'LGPL-3', 'GFDL-1.3', 'MPL-2.0', 'BSD', 'CC0-1.0']
MAN_PAGES = ['bash.1.gz', 'grep.1.gz', 'tar.1.gz', 'ls.1.gz', 'find.1.gz', 'sort.1.gz']


def man_text(path):
    """The prose of a man page: roff requests dropped, inline font escapes removed."""
    out = []
    with gzip.open(path, 'rt', encoding='utf-8', errors='replace') as f:
        for line in f:
            if line.startswith(('.', "'")):
                if line.startswith(('.SH', '.SS', '.B ', '.I ')):
                    line = line.split(' ', 1)[1] if ' ' in line else ''
                else:
                    continue
            line = re.sub(r'\\f[A-Z0-9P]|\\\(..|\\[-&e|^]', '', line).strip()
            if line:
                out.append(line)
    return out


def corpus():
    lines = []
    for name in LICENSES:
        with open(f'/usr/share/common-licenses/{name}', encoding='utf-8') as f:
            lines += [l.strip() for l in f if l.strip()]
    for name in MAN_PAGES:
        path = f'/usr/share/man/man1/{name}'
        if os.path.exists(path):
            lines += man_text(path)
    return lines


def train(lines):
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=model, model_type='unigram',
        vocab_size=3000, normalization_rule_name='nmt_nfkc', character_coverage=0.9995,
        byte_fallback=False, seed_sentencepiece_size=200000, num_threads=1,
        minloglevel=2)
    proto = model_pb2.ModelProto()
    proto.ParseFromString(model.getvalue())
    return proto


def special(id_, content, lstrip=False):
    return {'id': id_, 'content': content, 'single_word': False, 'lstrip': lstrip,
            'rstrip': False, 'normalized': False, 'special': True}


def convert(proto):
    vocab = [['<s>', 0.0], ['<pad>', 0.0], ['</s>', 0.0], ['<unk>', 0.0]]
    vocab += [[p.piece, p.score] for p in proto.pieces[3:]]
    mask = len(vocab)
    vocab.append(['<mask>', 0.0])
    charsmap = base64.b64encode(proto.normalizer_spec.precompiled_charsmap).decode('ascii')
    metaspace = {'type': 'Metaspace', 'replacement': '\u2581', 'prepend_scheme': 'always',
                 'split': True}
    return {
        'version': '1.0',
        'truncation': None,
        'padding': None,
        'added_tokens': [special(0, '<s>'), special(1, '<pad>'), special(2, '</s>'),
                         special(3, '<unk>'), special(mask, '<mask>', lstrip=True)],
        'normalizer': {'type': 'Sequence', 'normalizers': [
            {'type': 'Precompiled', 'precompiled_charsmap': charsmap},
            {'type': 'Replace', 'pattern': {'Regex': ' {2,}'}, 'content': ' '}]},
        'pre_tokenizer': metaspace,
        'post_processor': {
            'type': 'TemplateProcessing',
            'single': [{'SpecialToken': {'id': '<s>', 'type_id': 0}},
                       {'Sequence': {'id': 'A', 'type_id': 0}},
                       {'SpecialToken': {'id': '</s>', 'type_id': 0}}],
            'pair': [{'SpecialToken': {'id': '<s>', 'type_id': 0}},
                     {'Sequence': {'id': 'A', 'type_id': 0}},
                     {'SpecialToken': {'id': '</s>', 'type_id': 0}},
                     {'SpecialToken': {'id': '</s>', 'type_id': 0}},
                     {'Sequence': {'id': 'B', 'type_id': 0}},
                     {'SpecialToken': {'id': '</s>', 'type_id': 0}}],
            'special_tokens': {'<s>': {'id': '<s>', 'ids': [0], 'tokens': ['<s>']},
                               '</s>': {'id': '</s>', 'ids': [2], 'tokens': ['</s>']}}},
        'decoder': metaspace,
        'model': {'type': 'Unigram', 'unk_id': 3, 'vocab': vocab,
                  'byte_fallback': proto.trainer_spec.byte_fallback},
    }


def main():
    out_dir = sys.argv[1]
    lines = corpus()
    tok = convert(train(lines))
    with open(f'{out_dir}/unigram_xlmr.json', 'w', encoding='utf-8') as f:
        json.dump(tok, f, ensure_ascii=False)
        f.write('\n')
    print(f'{len(lines)} training lines, {len(tok["model"]["vocab"])} pieces')


if __name__ == '__main__':
    main()
