// Generates the WordPiece (BERT-style) tokenizer.json fixtures tests/tokenizer/data/
// wordpiece_uncased.json and wordpiece_cased.json, and tests/tokenizer/data/
// wordpiece_expected.json: the ids, tokens, byte offsets and decoded text that Hugging Face
// tokenizers itself gives for them (its Node binding @anush008/tokenizers 0.6.0 = tokenizers
// 0.22.2), so that our C++ WordPiece is checked against an independent implementation. The
// vocabulary is built by hand: special tokens, single characters (ASCII, some accented, Greek,
// Cyrillic, CJK) with their ## forms, and the most frequent words and word endings of the
// license texts in /usr/share/common-licenses. Run through scripts/gen_wordpiece_fixture.sh.
//   node gen_wordpiece_fixture.mjs OUT_DIR
import fs from 'node:fs';
import {createRequire} from 'node:module';

const require = createRequire(process.env.QUIVER_GEN_NODE_MODULES + '/');
const {Tokenizer} = require('@anush008/tokenizers');
const [outDir] = process.argv.slice(2);

const kLicenses = ['Apache-2.0', 'GPL-3', 'LGPL-3', 'GFDL-1.3', 'MPL-2.0', 'Artistic'];
const corpus = kLicenses.map((f) => fs.readFileSync(`/usr/share/common-licenses/${f}`, 'utf8'))
                   .join('\n');

// Counts in a Map, then the keys by falling count (ties by key, so the result is stable).
function topKeys(counts, n, minCount = 2) {
  return [...counts.entries()]
      .filter(([, c]) => c >= minCount)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, n)
      .map(([k]) => k);
}

function buildVocab(lowercase) {
  const pieces = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'];
  const seen = new Set(pieces);
  const add = (p) => {
    if (!seen.has(p)) {
      seen.add(p);
      pieces.push(p);
    }
  };
  const chars = [];
  for (let c = 0x21; c < 0x7f; ++c) chars.push(String.fromCharCode(c));
  chars.push(...'àáâäçèéêëíîïñóôöùúûüßåøæœ'.split(''));
  if (!lowercase) chars.push(...'ÀÉÇÑÖÜÅ'.split(''));
  chars.push(...'αβγδεκλμνοπρστωάέίόύ'.split(''), ...'абвгдеикмнопрстуя'.split(''));
  chars.push(...'我爱自然语言处理東京日本首都漢字中国人'.split(''));
  chars.push(...'のはですとカタナひらが'.split(''), ...'。，！？「」'.split(''), '€', '£', '½', '…', '—');
  for (const c of chars) add(lowercase ? c.toLowerCase() : c);
  for (const c of chars) {
    if (/[\p{L}\p{N}]/u.test(c)) add('##' + (lowercase ? c.toLowerCase() : c));
  }
  const words = new Map();
  const text = lowercase ? corpus.toLowerCase() : corpus;
  for (const w of text.match(/\p{L}+/gu)) words.set(w, (words.get(w) || 0) + 1);
  const top = topKeys(words, 1100);
  for (const w of top) add(w);
  // Endings (2 to 5 letters) and beginnings (3 to 6) of the words left out, as ## pieces and
  // word starts, so that unknown words split into realistic pieces.
  const inVocab = new Set(top);
  const ends = new Map();
  const starts = new Map();
  for (const [w, c] of words) {
    if (inVocab.has(w)) continue;
    for (let n = 2; n <= 5 && n < w.length; ++n) {
      const e = w.slice(-n);
      ends.set(e, (ends.get(e) || 0) + c);
    }
    for (let n = 3; n <= 6 && n < w.length; ++n) {
      const s = w.slice(0, n);
      starts.set(s, (starts.get(s) || 0) + c);
    }
  }
  for (const e of topKeys(ends, 300)) add('##' + e);
  for (const s of topKeys(starts, 250)) add(s);
  for (const w of ['hello', 'world', 'token', '##izer', '##izers', 'bert', 'café', 'naïve']) {
    add(lowercase ? w : w);
  }
  const vocab = {};
  pieces.forEach((p, i) => (vocab[p] = i));
  return vocab;
}

function special(id, content) {
  return {id, content, single_word: false, lstrip: false, rstrip: false, normalized: false,
          special: true};
}

function buildTokenizer(lowercase) {
  const vocab = buildVocab(lowercase);
  const added = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]'].map((t) => special(vocab[t], t));
  const cls = vocab['[CLS]'];
  const sep = vocab['[SEP]'];
  // The uncased file uses TemplateProcessing (as newer exports do), the cased one the older
  // BertProcessing.
  const post = lowercase ? {
    type: 'TemplateProcessing',
    single: [{SpecialToken: {id: '[CLS]', type_id: 0}}, {Sequence: {id: 'A', type_id: 0}},
             {SpecialToken: {id: '[SEP]', type_id: 0}}],
    pair: [{SpecialToken: {id: '[CLS]', type_id: 0}}, {Sequence: {id: 'A', type_id: 0}},
           {SpecialToken: {id: '[SEP]', type_id: 0}}, {Sequence: {id: 'B', type_id: 1}},
           {SpecialToken: {id: '[SEP]', type_id: 1}}],
    special_tokens: {
      '[CLS]': {id: '[CLS]', ids: [cls], tokens: ['[CLS]']},
      '[SEP]': {id: '[SEP]', ids: [sep], tokens: ['[SEP]']},
    },
  } : {type: 'BertProcessing', sep: ['[SEP]', sep], cls: ['[CLS]', cls]};
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: {type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true,
                 strip_accents: lowercase ? null : false, lowercase},
    pre_tokenizer: {type: 'BertPreTokenizer'},
    post_processor: post,
    decoder: {type: 'WordPiece', prefix: '##', cleanup: true},
    model: {type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##',
            max_input_chars_per_word: lowercase ? 100 : 24, vocab},
  };
}

const strings = [
  '',
  'Hello world',
  'hello, world!',
  'The quick brown fox jumps over the lazy dog.',
  'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.',
  'Licensed under the Apache License, Version 2.0 (the "License");',
  'You may not use this file except in compliance with the License.',
  'Redistribution and use in source and binary forms, with or without modification',
  'Tokenizers tokenize; BERT tokenizer.json files are WordPiece.',
  "I'm sure they'll say it's what we'd've wanted, isn't it? YOU'RE RIGHT.",
  'Mr. O\'Neil paid $3.50 for 2 apples (not 3!).',
  'In 2024, 1,000,000 people paid 12.5% more: -42 +7 0x1F 1e-9.',
  '1234567890',
  '3.14159265358979',
  'e-mail: someone@example.com, url: https://example.org/a/b?c=d&e=f#g',
  'a+b=c; x*y/z; [1, 2, 3] {k: v} <tag> ~home `code` ^caret |pipe| \\back_slash',
  '...!!!???---___',
  '«guillemets» „quotes“ ‘single’ — dash … ellipsis · middle',
  'café naïve résumé façade Ångström',
  'Ça va? Où est la bibliothèque? Grüße aus Köln, señor.',
  'e\u0301 (e + combining acute) vs é',
  'ÀÉÇÑÖÜÅ àéçñöüå',
  'Ελληνικά κείμενα και русский текст',
  '我爱自然语言处理。',
  '東京は日本の首都です。',
  '漢字とカタカナとひらがな',
  '中国人abc中国人',
  '안녕하세요, 세계!',
  '🦙',
  'I ❤️ tokenizers 👩‍👩‍👧‍👦 🇫🇷 👍🏽',
  'emoji😀inside😃words',
  'a  b   c    d     e',
  '\ttabs\t\t\t\tout here',
  'A sentence\nwith\nnewlines\r\nand CRLF.',
  '\n\n\nthree newlines then text\n\n',
  '   leading and trailing spaces   ',
  ' ',
  '    ',
  '\n',
  'no\u00a0break\u2003em\u3000ideographic spaces',
  '\u0000\u0001\u007f control bytes',
  'zero\u200bwidth\u200djoiner\ufeffbom',
  'soft\u00adhyphen and \ufffd replacement',
  'bell\u0007 escape\u001b[0m form\u000cfeed vtab\u000b',
  'private \ue000 use',
  'supercalifragilisticexpialidocious',
  'pneumonoultramicroscopicsilicovolcanoconiosis is long',
  'x'.repeat(99) + ' ' + 'y'.repeat(100) + ' ' + 'z'.repeat(101),
  'a'.repeat(24) + ' ' + 'a'.repeat(25),
  'ab'.repeat(70),
  'unredistributable nonsublicensable relicensing',
  'MiXeD CaSe WoRdS and camelCaseIdentifiers',
  'GNU General Public License v3.0-or-later',
  '[CLS] already [SEP] here [MASK]',
  'qwxz qqqq zzzz',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𓀀 𐍈',
  'İstanbul ﬁne ﬀ Straße',
  'Ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３',
  'The software is provided, without warranty, under the terms of this license; ' +
      'see the license for the specific language governing permissions.',
];

// Byte offsets of a list of code-point offsets in `text` (the binding reports code points).
function toBytes(text, offsets) {
  const byteAt = [0];
  for (const ch of text) byteAt.push(byteAt[byteAt.length - 1] + Buffer.byteLength(ch, 'utf8'));
  return offsets.map(([b, e]) => [byteAt[b], byteAt[e]]);
}

async function run(file) {
  const tok = Tokenizer.fromFile(file);
  const cases = [];
  for (const text of strings) {
    const c = {text};
    for (const [key, add] of [['with_special', true], ['plain', false]]) {
      const enc = await tok.encode(text, null, {addSpecialTokens: add});
      const ids = enc.getIds();
      c[key] = {
        ids,
        tokens: enc.getTokens(),
        offsets: toBytes(text, enc.getOffsets()),
        decoded: await tok.decode(ids, false),
        decoded_skip: await tok.decode(ids, true),
      };
    }
    cases.push(c);
  }
  return cases;
}

const out = {
  generator: 'scripts/gen_wordpiece_fixture.mjs with @anush008/tokenizers 0.6.0 ' +
      '(tokenizers 0.22.2); offsets converted from code points to bytes',
};
for (const [name, lowercase] of [['uncased', true], ['cased', false]]) {
  const file = `${outDir}/wordpiece_${name}.json`;
  fs.writeFileSync(file, JSON.stringify(buildTokenizer(lowercase)) + '\n');
  out[name] = await run(file);
}
// One case a line: readable diffs at a third of the indented size.
const sections = ['uncased', 'cased'].map(
    (k) => `${JSON.stringify(k)}: [\n${out[k].map((c) => JSON.stringify(c)).join(',\n')}\n]`);
fs.writeFileSync(`${outDir}/wordpiece_expected.json`,
                 `{"generator": ${JSON.stringify(out.generator)},\n${sections.join(',\n')}\n}\n`);
console.log(`wrote ${out.uncased.length} + ${out.cased.length} cases to ${outDir}`);
