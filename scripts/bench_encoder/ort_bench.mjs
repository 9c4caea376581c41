// ONNX Runtime's side of the sentence-encoder comparison (scripts/bench_encoder.sh): the same
// model.onnx that make_model.py exported, on the CPU execution provider, with every graph
// optimization, intra-op threads as asked and one inter-op thread (sequential execution).
//
// Usage: node ort_bench.mjs --model DIR/model.onnx [--threads 1] [--batch 32] [--seq 128]
//          [--query-seq 16] [--min-seconds 5] [--min-iters 3] [--warmup 1]
//          [--latency-runs 200] [--latency-warmup 20] [--seed 1] [--skip-throughput]
//          [--skip-latency] [--node-modules DIR]
//
// Inputs are fixed: token ids drawn by a seeded generator from [1000, vocab) between [CLS] (2)
// and [SEP] (3), the attention mask all ones, token types all zero. Every measurement includes
// what quiver's Encode does after the network: mean pooling over the mask and L2 normalization
// (in JavaScript, on last_hidden_state; < 1% of the time at these sizes). Tensor creation is
// outside the clock, output reading inside it.
//
// Prints one key=value line per measurement:
//   system=ort kind=throughput threads=1 batch=32 seq=128 iters=.. seconds=.. sentences_per_s=..
//   system=ort kind=latency threads=1 batch=1 seq=16 runs=.. p50_ms=.. p90_ms=.. mean_ms=..
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const opts = {
    model: '', threads: 1, batch: 32, seq: 128, 'query-seq': 16, 'min-seconds': 5,
    'min-iters': 3, warmup: 1, 'latency-runs': 200, 'latency-warmup': 20, seed: 1,
    'skip-throughput': false, 'skip-latency': false,
    'node-modules': path.join(here, '..', '..', '.cache', 'bench-encoder', 'node_modules'),
  };
  for (let i = 0; i < argv.length; ++i) {
    let key = argv[i];
    if (!key.startsWith('--')) throw new Error(`unexpected argument ${key}`);
    key = key.slice(2);
    let value;
    const eq = key.indexOf('=');
    if (eq >= 0) { value = key.slice(eq + 1); key = key.slice(0, eq); }
    if (!(key in opts)) throw new Error(`unknown flag --${key}`);
    if (typeof opts[key] === 'boolean') { opts[key] = true; continue; }
    if (value === undefined) value = argv[++i];
    opts[key] = typeof opts[key] === 'number' ? Number(value) : value;
  }
  if (!opts.model) throw new Error('--model PATH is required');
  return opts;
}

// A 32-bit xorshift: plenty for drawing token ids.
function makeRng(seed) {
  let s = (seed * 2654435761) >>> 0 || 1;
  return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s; };
}

function makeInputs(ort, batch, seq, vocab, rng) {
  const n = batch * seq;
  const ids = new BigInt64Array(n), mask = new BigInt64Array(n), types = new BigInt64Array(n);
  for (let b = 0; b < batch; ++b) {
    for (let t = 0; t < seq; ++t) {
      let id = 1000 + (rng() % (vocab - 1000));
      if (t === 0) id = 2; else if (t === seq - 1) id = 3;
      ids[b * seq + t] = BigInt(id);
      mask[b * seq + t] = 1n;
    }
  }
  const dims = [batch, seq];
  return {
    feeds: {
      input_ids: new ort.Tensor('int64', ids, dims),
      attention_mask: new ort.Tensor('int64', mask, dims),
      token_type_ids: new ort.Tensor('int64', types, dims),
    },
    mask,
  };
}

// Mean over the tokens whose mask is 1, then L2 normalization: what quiver's Encode returns.
function poolAndNormalize(hidden, mask, batch, seq, dim) {
  const out = new Float32Array(batch * dim);
  for (let b = 0; b < batch; ++b) {
    const o = out.subarray(b * dim, (b + 1) * dim);
    let count = 0;
    for (let t = 0; t < seq; ++t) {
      if (mask[b * seq + t] === 0n) continue;
      ++count;
      const row = (b * seq + t) * dim;
      for (let d = 0; d < dim; ++d) o[d] += hidden[row + d];
    }
    let norm = 0;
    for (let d = 0; d < dim; ++d) { o[d] /= count; norm += o[d] * o[d]; }
    norm = Math.sqrt(norm) || 1;
    for (let d = 0; d < dim; ++d) o[d] /= norm;
  }
  return out;
}

async function run(session, inputs, batch, seq) {
  const result = await session.run(inputs.feeds);
  const hidden = result.last_hidden_state;
  const dim = hidden.dims[2];
  return poolAndNormalize(hidden.data, inputs.mask, batch, seq, dim);
}

function percentile(sorted, p) {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i];
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const require = createRequire(path.join(path.resolve(opts['node-modules']), 'noop.js'));
  const ort = require('onnxruntime-node');
  const session = await ort.InferenceSession.create(opts.model, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: opts.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  // The vocabulary size is not in the graph's signature; read it from config.json beside it.
  const fs = await import('node:fs');
  const config = JSON.parse(fs.readFileSync(path.join(path.dirname(opts.model), 'config.json')));
  const vocab = config.vocab_size;
  const rng = makeRng(opts.seed);
  const common = `system=ort threads=${opts.threads} ort_version=${ort.env.versions.common}`;

  if (!opts['skip-throughput']) {
    const { batch, seq } = opts;
    const inputs = makeInputs(ort, batch, seq, vocab, rng);
    for (let i = 0; i < opts.warmup; ++i) await run(session, inputs, batch, seq);
    let iters = 0;
    const start = process.hrtime.bigint();
    let seconds = 0;
    while (iters < opts['min-iters'] || seconds < opts['min-seconds']) {
      await run(session, inputs, batch, seq);
      ++iters;
      seconds = Number(process.hrtime.bigint() - start) / 1e9;
    }
    console.log(`${common} kind=throughput batch=${batch} seq=${seq} iters=${iters} ` +
                `seconds=${seconds.toFixed(3)} sentences_per_s=${(iters * batch / seconds).toFixed(2)}`);
  }
  if (!opts['skip-latency']) {
    const seq = opts['query-seq'];
    const inputs = makeInputs(ort, 1, seq, vocab, rng);
    for (let i = 0; i < opts['latency-warmup']; ++i) await run(session, inputs, 1, seq);
    const ms = [];
    for (let i = 0; i < opts['latency-runs']; ++i) {
      const t0 = process.hrtime.bigint();
      await run(session, inputs, 1, seq);
      ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
    ms.sort((a, b) => a - b);
    console.log(`${common} kind=latency batch=1 seq=${seq} runs=${ms.length} ` +
                `p50_ms=${percentile(ms, 0.5).toFixed(3)} p90_ms=${percentile(ms, 0.9).toFixed(3)} ` +
                `mean_ms=${mean.toFixed(3)}`);
  }
}

main().catch((e) => { console.error(`ort_bench: ${e.message}`); process.exit(1); });
