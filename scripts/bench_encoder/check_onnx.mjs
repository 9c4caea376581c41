// Runs model.onnx with ONNX Runtime (CPU) on the batches of a JSON request and writes
// last_hidden_state of each as JSON, for make_model.py's export check.
//   node check_onnx.mjs MODEL.onnx REQUEST.json RESULT.json NODE_MODULES
// REQUEST: [{"input_ids": [[...], ...], "attention_mask": [[...]], "token_type_ids": [[...]]}]
// RESULT:  [{"dims": [B, T, H], "data": [...]}] (row-major float32 values)
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

const [model, request, result, nodeModules] = process.argv.slice(2);
const ort = createRequire(path.join(path.resolve(nodeModules), 'noop.js'))('onnxruntime-node');
const session = await ort.InferenceSession.create(model, {
  executionProviders: ['cpu'], graphOptimizationLevel: 'all',
});
const out = [];
for (const batch of JSON.parse(fs.readFileSync(request, 'utf8'))) {
  const feeds = {};
  for (const name of ['input_ids', 'attention_mask', 'token_type_ids']) {
    const rows = batch[name];
    const flat = BigInt64Array.from(rows.flat(), (v) => BigInt(v));
    feeds[name] = new ort.Tensor('int64', flat, [rows.length, rows[0].length]);
  }
  const hidden = (await session.run(feeds)).last_hidden_state;
  out.push({ dims: hidden.dims, data: Array.from(hidden.data) });
}
fs.writeFileSync(result, JSON.stringify(out));
