/**
 * `filterTraces(file, options)`: the filters, deduplication, decontamination and selection of rejection sampling
 * applied to traces made elsewhere (a hosted R1, vLLM, open-r1's published generations). Same rules, same output
 * directory and manifest as `rejectionSample`.
 */
import { resolve } from 'node:path';
import { type BuilderOptions, DatasetBuilder, type Manifest } from './dataset-builder';
import { readTraceGroups } from './trace-input';

export interface FilterTracesOptions extends Omit<BuilderOptions, 'model' | 'seed'> {
  /** Written into rows' `model`. Default 'unknown'. */
  model?: string;
  /** Written into rows' `seed`. Default null → 0. */
  seed?: number;
}

export async function filterTraces(file: string, options: FilterTracesOptions): Promise<Manifest> {
  const builder = await DatasetBuilder.open({ ...options, model: options.model ?? 'unknown', seed: options.seed ?? 0 });
  const groups = await readTraceGroups(file);
  for (const { problem, traces } of groups) {
    await builder.add(problem, { messages: [{ role: 'user', content: problem.prompt }], text: null }, traces);
  }
  return builder.finish({ input_file: resolve(file) });
}
