/**
 * Assembles `softmax-wat.ts`'s text into wasm bytes with the `wabt` dev dependency (SIMD and threads on: its memory is imported and shared). Used by `generate.ts`
 * (which writes `softmax-binary.ts`) and by the test that checks the shipped bytes match the source. Never imported
 * at run time.
 */
import wabtInit from 'wabt';
import { softmaxWat } from './softmax-wat';

export async function assembleSoftmax(): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat('softmax.wat', softmaxWat(), { simd: true, threads: true } as Parameters<
    typeof wabt.parseWat
  >[2]);
  try {
    const bytes = new Uint8Array(module.toBinary({ log: false, write_debug_names: false }).buffer);
    const api = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    if (!api.validate(bytes)) throw new Error('assembleSoftmax: V8 rejects the assembled module');
    return bytes;
  } finally {
    module.destroy();
  }
}
