// Tokenizes the encoder fixture texts with Hugging Face tokenizers' Node binding
// (@anush008/tokenizers 0.6.0 = tokenizers 0.22.2), as sentence-transformers would: the
// prompt prepended to the text, special tokens added, truncation to max_seq_length.
// Driven by scripts/gen_encoder_fixtures.py:
//   node gen_encoder_fixtures.mjs REQUESTS.json OUT.json
// REQUESTS.json: [{"tokenizer": path, "max_length": n, "text": s}, ...]; OUT.json: the ids of
// each request, in order.
import fs from 'node:fs';
import {createRequire} from 'node:module';

const require = createRequire(process.env.QUIVER_GEN_NODE_MODULES + '/');
const {Tokenizer} = require('@anush008/tokenizers');
const [requestsPath, outPath] = process.argv.slice(2);

const requests = JSON.parse(fs.readFileSync(requestsPath, 'utf8'));
const tokenizers = new Map();
const out = [];
for (const r of requests) {
  const key = r.tokenizer + '@' + r.max_length;
  if (!tokenizers.has(key)) {
    const tok = Tokenizer.fromFile(r.tokenizer);
    tok.setTruncation(r.max_length);
    tokenizers.set(key, tok);
  }
  const enc = await tokenizers.get(key).encode(r.text, null, {addSpecialTokens: true});
  out.push(enc.getIds());
}
fs.writeFileSync(outPath, JSON.stringify(out));
