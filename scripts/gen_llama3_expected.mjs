// Generates tests/tokenizer/data/hf_expected.json: token ids, tokens and decoded text for the
// Llama-3 and Mistral tokenizer.json files, computed by Hugging Face tokenizers itself (its Node
// binding @anush008/tokenizers 0.6.0 = tokenizers 0.22.2, prebuilt -linux-x64-gnu), so that our
// C++ implementation is checked against an independent one. Run through
// scripts/gen_llama3_expected.sh, which installs the binding into .cache/llama3-gen.
//   node gen_llama3_expected.mjs TESTDATA_DIR OUT_JSON
import fs from 'node:fs';
import {createRequire} from 'node:module';

const require = createRequire(process.env.QUIVER_GEN_NODE_MODULES + '/');
const {Tokenizer} = require('@anush008/tokenizers');
const [dataDir, outPath] = process.argv.slice(2);

const strings = [
  // English
  'Hello world',
  'The quick brown fox jumps over the lazy dog.',
  "I'm sure they'll say it's what we'd've wanted, isn't it? YOU'RE RIGHT, SHE'S HERE.",
  'Tokenizers turn text into ids; embeddings turn ids into vectors.',
  'grabbed',
  ' grabbed',
  'A sentence\nwith\nnewlines\r\nand CRLF.',
  'Mr. O\'Neil paid $3.50 for 2 apples (not 3!).',
  // code
  'def add(a, b):\n    return a + b\n',
  'for (int i = 0; i < n; ++i) { sum += v[i]; }',
  '#include <vector>\nint main() { return 0; }',
  'const x = arr.map((v) => v * 2).filter(Boolean);',
  '<div class="note">&amp; &lt;tag&gt;</div>',
  'SELECT id, name FROM users WHERE age >= 18 ORDER BY name;',
  // numbers
  '1234567890',
  '3.14159265358979',
  'In 2024, 1,000,000 people paid 12.5% more: -42 +7 0x1F 1e-9.',
  '١٢٣ ٤٥٦ (Arabic-Indic digits) and ½ ⅓ ²',
  // CJK
  '镇',
  '我爱自然语言处理。',
  '東京は日本の首都です。',
  '안녕하세요, 세계!',
  '漢字とカタカナとひらがな',
  // emoji
  '🦙',
  '🦙Ꙋ',
  'Ꙋ🦙',
  'I ❤️ tokenizers 👩‍👩‍👧‍👦 🇫🇷 👍🏽',
  '😀😃😄😁😆😅😂🤣',
  // whitespace runs
  '           grabbed',
  '\n',
  ' \n',
  '\ttabs\t\t\t\tout here',
  'a  b   c    d     e',
  'trailing spaces   ',
  '   leading spaces',
  '\n\n\nthree newlines then text\n\n',
  ' ',
  '    ',
  // accents
  'café naïve résumé façade Ångström',
  'Ça va? Où est la bibliothèque? Grüße aus Köln, señor.',
  'e\u0301 (e + combining acute) vs é',
  'Ελληνικά κείμενα και русский текст',
  // rare characters: byte-level fallback to single bytes
  'ax\n####\nboo',
  '\u0000\u0001\u007f control bytes',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𓀀 𐍈',
  'ꙊꙋꙌ',
  // special tokens matched before BPE
  '<|begin_of_text|>Hello<|end_of_text|>',
  '<s>Hello</s>',
  "The llama (/ˈlɑːmə/; 🦙Spanish pronunciation: [ˈʎama]) (Lama glama) is a domesticated " +
      'South American camelid, widely used as a meat and pack animal by Andean cultures.',
];
// Long single lines (over 1 KiB, where our BPE cuts words at exact boundaries).
const llamaSentence = strings[strings.length - 1];
strings.push(Array(8).fill(llamaSentence).join(' '));
strings.push(Array(40).fill('naïve 東京 🦙 code(x) + 42;').join(''));
strings.push(' '.repeat(3000) + 'x' + '\n'.repeat(1500));

async function run(file) {
  const tok = Tokenizer.fromFile(file);
  const cases = [];
  for (const text of strings) {
    const enc = await tok.encode(text, null, {addSpecialTokens: true});
    const ids = enc.getIds();
    cases.push({
      text,
      ids,
      tokens: enc.getTokens(),
      decoded: await tok.decode(ids, false),
    });
  }
  return cases;
}

const out = {
  generator: 'scripts/gen_llama3_expected.mjs with @anush008/tokenizers 0.6.0 (tokenizers 0.22.2)',
  llama3: await run(`${dataDir}/llama3_tokenizer.json`),
  mistral: await run(`${dataDir}/mistral_tokenizer.json`),
};
fs.writeFileSync(outPath, JSON.stringify(out, null, 1) + '\n');
console.log(`wrote ${out.llama3.length} + ${out.mistral.length} cases to ${outPath}`);
