// Writes tests/tokenizer/data/unigram_expected.json: the ids, tokens, byte offsets and decoded
// text that Hugging Face tokenizers (its Node binding @anush008/tokenizers 0.6.0 = tokenizers
// 0.22.2) gives for tests/tokenizer/data/unigram_xlmr.json (made by gen_unigram_fixture.py) and
// for variants of it that differ in one section, recorded in the output as "patch" so that the
// C++ tests build the same variants: RobertaProcessing instead of TemplateProcessing, a
// "truncation" section, byte fallback (the 256 <0xXX> pieces appended, byte_fallback true).
// Also truncation cases (EncodeOptions::max_length) for it and for wordpiece_uncased.json.
// Run through scripts/gen_unigram_fixture.sh.
//   node gen_unigram_fixture.mjs DATA_DIR
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {createRequire} from 'node:module';

const require = createRequire(process.env.QUIVER_GEN_NODE_MODULES + '/');
const {Tokenizer} = require('@anush008/tokenizers');
const [dataDir] = process.argv.slice(2);

// Cases are strings, or {hex} for byte strings that are not UTF-8: quiver reads every byte that
// is not part of a well-formed sequence as U+FFFD, and the binding (which takes JS strings) is
// given the string with that replacement made.
const strings = [
  '',
  'Hello world',
  'hello, world!',
  'The quick brown fox jumps over the lazy dog.',
  'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND.',
  'Licensed under the Apache License, Version 2.0 (the "License");',
  'Redistribution and use in source and binary forms, with or without modification',
  'grep -E \'^[a-z]+$\' file.txt | sort -u > out; tar -xzf archive.tar.gz',
  "I'm sure they'll say it's what we'd've wanted, isn't it? YOU'RE RIGHT.",
  'In 2024, 1,000,000 people paid 12.5% more: -42 +7 0x1F 1e-9.',
  'e-mail: someone@example.com, url: https://example.org/a/b?c=d&e=f#g',
  'a+b=c; x*y/z; [1, 2, 3] {k: v} <tag> ~home `code` ^caret |pipe| \\back_slash',
  '...!!!???---___',
  '«guillemets» „quotes“ ‘single’ — dash … ellipsis · middle',
  'café naïve résumé façade Ångström',
  'Ça va? Où est la bibliothèque? Grüße aus Köln, señor.',
  'e\u0301 (e + combining acute) vs é',
  'a\u0301\u0302\u0303\u0304 stacked marks, ñ vs n\u0303',
  'ℌ ① ﬁ ﬀ ﬃ ㍿ ™ ½ ² ℡ Ⅻ',
  'Ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３ ｶﾀｶﾅ',
  'Ελληνικά κείμενα και русский текст',
  '我爱自然语言处理。',
  '東京は日本の首都です。',
  '中国人abc中国人',
  '안녕하세요, 세계!',
  'क्षि हिन्दी नमस्ते',
  'مرحبا بالعالم',
  '🦙',
  'I ❤️ tokenizers 👩‍👩‍👧‍👦 🇫🇷 👍🏽',
  '👨🏿‍💻 🧑🏻‍🤝‍🧑🏾 🏳️‍🌈 #️⃣',
  'emoji😀inside😃words',
  'a  b   c    d     e',
  '\ttabs\t\t\t\tout here',
  'A sentence\nwith\nnewlines\r\nand CRLF.',
  '\n\n\nthree newlines then text\n\n',
  '   leading and trailing spaces   ',
  ' ',
  '    ',
  '\n',
  '\t \n \r\n',
  'no\u00a0break\u2003em\u3000ideographic spaces',
  '\u0000\u0001\u007f control bytes',
  '\u0001leading control',
  'trailing control\u0002',
  'zero\u200bwidth\u200djoiner\ufeffbom',
  'soft\u00adhyphen and \ufffd replacement',
  'bell\u0007 escape\u001b[0m form\u000cfeed vtab\u000b',
  'private \ue000 use \u{10FFFD}',
  'supercalifragilisticexpialidocious',
  'pneumonoultramicroscopicsilicovolcanoconiosis is long',
  'x'.repeat(120),
  'unredistributable nonsublicensable relicensing',
  'MiXeD CaSe WoRdS and camelCaseIdentifiers',
  '<s> already </s> here <mask> and <unk> <pad>',
  'text<mask>inside and  <mask> after spaces',
  'qwxz qqqq zzzz',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𓀀 𐍈',
  'İstanbul ﬁne Straße ǅ ǈ',
  '▁already ▁metaspace▁ chars',
  'The software is provided, without warranty, under the terms of this license; ' +
      'see the license for the specific language governing permissions.',
  {hex: '48656c6c6fff776f726c64'},            // Hello\xFFworld
  {hex: 'c0af2063e282'},                      // overlong '/', then a truncated sequence
  {hex: '80 6162 ed a0 80 63'.replace(/ /g, '')},  // stray continuation, surrogate
];

// Byte strings: quiver's reading of them, every ill-formed byte one U+FFFD.
function seqLen(b, i) {
  const c = b[i];
  const cont = (k, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k] >= lo && b[i + k] <= hi;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80, hi = c === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80, hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}
function sanitize(hex) {
  const b = Buffer.from(hex, 'hex');
  let out = '';
  for (let i = 0; i < b.length;) {
    const n = seqLen(b, i);
    out += n ? b.subarray(i, i + n).toString('utf8') : '\ufffd';
    i += n || 1;
  }
  return out;
}

// Byte offsets of a list of code-point offsets in `text` (the binding reports code points).
function toBytes(text, offsets) {
  const byteAt = [0];
  for (const ch of text) byteAt.push(byteAt[byteAt.length - 1] + Buffer.byteLength(ch, 'utf8'));
  return offsets.map(([b, e]) => [byteAt[b], byteAt[e]]);
}

async function encodeCase(tok, text, add, withDecode = true) {
  const enc = await tok.encode(text, null, {addSpecialTokens: add});
  const ids = enc.getIds();
  const r = {ids, tokens: enc.getTokens(), offsets: toBytes(text, enc.getOffsets())};
  if (withDecode) {
    r.decoded = await tok.decode(ids, false);
    r.decoded_skip = await tok.decode(ids, true);
  }
  return r;
}

async function runCases(tok) {
  const cases = [];
  for (const s of strings) {
    const c = typeof s === 'string' ? {text: s} : {hex: s.hex, sanitized: sanitize(s.hex)};
    const text = typeof s === 'string' ? s : c.sanitized;
    c.with_special = await encodeCase(tok, text, true);
    c.plain = await encodeCase(tok, text, false);
    cases.push(c);
  }
  return cases;
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-unigram-'));
function load(json) {
  const file = path.join(tmp, 'tokenizer.json');
  fs.writeFileSync(file, JSON.stringify(json));
  return Tokenizer.fromFile(file);
}

const base = JSON.parse(fs.readFileSync(`${dataDir}/unigram_xlmr.json`, 'utf8'));
const bytePieces = [];
for (let b = 0; b < 256; ++b) {
  bytePieces.push([`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, 0.0]);
}
const variants = {
  xlmr: {},
  roberta: {post_processor: {type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0],
                             trim_offsets: true, add_prefix_space: true}},
  truncated: {truncation: {direction: 'Right', max_length: 24, strategy: 'LongestFirst',
                           stride: 0}},
  truncated_left: {truncation: {direction: 'Left', max_length: 10, strategy: 'LongestFirst',
                                stride: 0}},
  bytes: {model: {...base.model, vocab: [...base.model.vocab, ...bytePieces],
                  byte_fallback: true}},
};

const out = {
  generator: 'scripts/gen_unigram_fixture.mjs with @anush008/tokenizers 0.6.0 ' +
      '(tokenizers 0.22.2); offsets converted from code points to bytes',
};
const sections = [];
for (const [name, patch] of Object.entries(variants)) {
  const cases = await runCases(load({...base, ...patch}));
  // The byte-fallback patch is recorded as what it adds, not as the whole model.
  const recorded = name === 'bytes' ? {byte_fallback: true, append_byte_pieces: true} : patch;
  sections.push(`${JSON.stringify(name)}: {"patch": ${JSON.stringify(recorded)}, "cases": [\n` +
                cases.map((c) => JSON.stringify(c)).join(',\n') + '\n]}');
}

// Truncation through setTruncation (what EncodeOptions::max_length asks for), on a few longer
// strings of the list, for the Unigram file and the uncased WordPiece file.
const truncTexts = strings.filter((s) => typeof s === 'string' && s.length >= 25).slice(0, 12);
for (const [name, file] of [['unigram_truncation', `${dataDir}/unigram_xlmr.json`],
                            ['wordpiece_truncation', `${dataDir}/wordpiece_uncased.json`]]) {
  const tok = Tokenizer.fromFile(file);
  const cases = [];
  for (const maxLength of [1, 2, 3, 8, 16]) {
    for (const direction of ['right', 'left']) {
      tok.setTruncation(maxLength, {direction});
      for (const text of truncTexts) {
        for (const add of [true, false]) {
          const r = await encodeCase(tok, text, add, false);
          cases.push({text, max_length: maxLength, direction, add_special_tokens: add, ...r});
        }
      }
    }
  }
  sections.push(`${JSON.stringify(name)}: [\n${cases.map((c) => JSON.stringify(c)).join(',\n')}\n]`);
}
fs.writeFileSync(`${dataDir}/unigram_expected.json`,
                 `{"generator": ${JSON.stringify(out.generator)},\n${sections.join(',\n')}\n}\n`);
fs.rmSync(tmp, {recursive: true});
console.log(`wrote ${strings.length} cases x ${Object.keys(variants).length} variants and ` +
            `truncation cases to ${dataDir}/unigram_expected.json`);
