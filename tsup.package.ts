import { defineConfig, type Options } from 'tsup';

/**
 * The one tsup setup every @r1 package builds with: ESM for node 20, `.d.ts`, sourcemaps, a clean dist/.
 * A package's tsup.config.ts only names its entry points (the index, plus any bins).
 */
export function packageConfig(entry: string[] = ['src/index.ts']): Options | Options[] {
  return defineConfig({ entry, format: ['esm'], dts: true, clean: true, sourcemap: true, target: 'node20' }) as Options;
}
