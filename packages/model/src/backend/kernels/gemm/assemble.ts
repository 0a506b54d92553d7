/**
 * Assembles `gemm-wat.ts`'s text into wasm bytes with the `wabt` dev dependency (SIMD, threads and bulk-memory on;
 * relaxed SIMD for the `relaxed` variant).
 * Used by `generate.ts` (which writes `gemm-binary.ts`) and by the test that checks the shipped bytes match the source.
 * Never imported at run time.
 */
import wabtInit from 'wabt';
import { relaxedSimdValidates } from './gemm';
import { gemmWat } from './gemm-wat';

export async function assembleGemm(shared: boolean, relaxed = false): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat('gemm.wat', gemmWat(shared, relaxed), {
    simd: true,
    threads: true,
    bulk_memory: true,
    relaxed_simd: relaxed,
  } as Parameters<typeof wabt.parseWat>[2]);
  try {
    // No module.validate(): wabt.js's validator ignores the features passed to parseWat and rejects shared memory.
    // V8 validates instead.
    const bytes = new Uint8Array(module.toBinary({ log: false, write_debug_names: false }).buffer);
    const api = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    // An engine without relaxed SIMD (node 20 without --experimental-wasm-relaxed-simd) cannot check that variant.
    if (!api.validate(bytes) && !(relaxed && !relaxedSimdValidates()))
      throw new Error('assembleGemm: V8 rejects the assembled module');
    return bytes;
  } finally {
    module.destroy();
  }
}
