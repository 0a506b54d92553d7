/**
 * Every package installs and works on its own, as a user gets it: each package under packages/ is built and packed
 * with `pnpm pack`, the tarballs are installed with plain `npm` into an empty project (no workspace, no ../shared),
 * and there every entry point is imported, `mathVerify` runs, `checkRewardLaws` property-tests `accuracyReward`, and
 * the committed demo checkpoint (copied in) generates a few tokens through @r1/model and @r1/sampler. The packed
 * manifests are checked (scripts/pack-manifest.ts) and the `.d.ts` files are type-checked under
 * `moduleResolution: node16` and `bundler`. Needs npm and its registry (CI has both); under CI a missing piece fails
 * the test, locally it skips with the reason. About a minute and a half on 2 cores, most of it the build.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { manifestProblems, type PackedManifest } from './pack-manifest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CI = Boolean(process.env.CI);
const CHECKPOINT = join(ROOT, 'apps/trainer/checkpoints/base-arith');
const STEP_TIMEOUT_MS = 300_000;
const RESOLUTIONS: ('node16' | 'bundler')[] = ['node16', 'bundler'];

/** Every package directory with a manifest, whoever created it. */
const PACKAGES = readdirSync(join(ROOT, 'packages'))
  .filter((dir) => existsSync(join(ROOT, 'packages', dir, 'package.json')))
  .filter((dir) => !JSON.parse(readFileSync(join(ROOT, 'packages', dir, 'package.json'), 'utf8')).private)
  .sort();

interface Run {
  ok: boolean;
  output: string;
  ms: number;
}

/** npm and pnpm settings inherited from a `pnpm test` parent would steer the plain npm install; drop them. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) {
    if (/^(npm_|pnpm_)/i.test(key) && !/^npm_config_(registry|cache|userconfig)$/i.test(key)) delete env[key];
  }
  return env;
}

function run(command: string, args: string[], cwd: string, timeoutMs = STEP_TIMEOUT_MS): Run {
  const t0 = performance.now();
  const r = spawnSync(command, args, {
    cwd,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 << 20,
  });
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`;
  return { ok: r.status === 0, output, ms: Math.round(performance.now() - t0) };
}

const which = (bin: string) => run('sh', ['-c', `command -v ${bin}`], ROOT, 10_000).ok;

/** Skips locally, fails under CI: a missing prerequisite must not turn the CI check green. */
function need(condition: boolean, what: string, skip: (note: string) => void): void {
  if (condition) return;
  if (CI) throw new Error(`pack-install: ${what} (required under CI)`);
  skip(`pack-install: ${what}`);
}

const state = {
  dir: '',
  missing: [] as string[],
  built: null as Run | null,
  packed: new Map<string, { run: Run; tarball: string | null }>(),
  manifests: new Map<string, { manifest: PackedManifest; files: string[]; sources: Record<string, string> }>(),
  installed: null as Run | null,
  timings: {} as Record<string, number>,
};

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name))],
  );
}

beforeAll(() => {
  if (!which('npm')) state.missing.push('npm is not on PATH');
  if (!existsSync(join(CHECKPOINT, 'config.json')))
    state.missing.push(`the demo checkpoint is missing (${CHECKPOINT})`);
  if (state.missing.length > 0) return;
  state.dir = mkdtempSync(join(tmpdir(), 'r1-pack-install-'));
  const tarballs = join(state.dir, 'tarballs');
  const project = join(state.dir, 'project');
  mkdirSync(tarballs);
  mkdirSync(project);

  state.built = run(
    join(ROOT, 'node_modules/.bin/turbo'),
    ['run', 'build', '--filter=./packages/*', '--output-logs=errors-only'],
    ROOT,
  );
  state.timings.buildMs = state.built.ms;

  const t0 = performance.now();
  for (const dir of PACKAGES) {
    const packDir = join(tarballs, dir);
    mkdirSync(packDir);
    const r = run('pnpm', ['pack', '--pack-destination', packDir], join(ROOT, 'packages', dir));
    const tgz = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
    const tarball = r.ok && tgz ? join(packDir, tgz) : null;
    state.packed.set(dir, { run: r, tarball });
    if (tarball === null) continue;
    const unpacked = join(packDir, 'unpacked');
    mkdirSync(unpacked);
    run('tar', ['-xzf', tarball, '-C', unpacked], ROOT);
    const pkg = join(unpacked, 'package');
    const files = listFiles(pkg);
    const sources = Object.fromEntries(
      files.filter((f) => /\.(m?js|cjs)$/.test(f)).map((f) => [f, readFileSync(join(pkg, f), 'utf8')]),
    );
    state.manifests.set(dir, { manifest: JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8')), files, sources });
  }
  state.timings.packMs = Math.round(performance.now() - t0);

  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'r1-pack-install', private: true, type: 'module' }),
  );
  const tgzs = [...state.packed.values()].flatMap((p) => (p.tarball ? [p.tarball] : []));
  state.installed = run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--prefer-offline',
      '--loglevel=error',
      ...tgzs,
      `fast-check@${root.devDependencies['fast-check']}`,
      `@types/node@${root.devDependencies['@types/node']}`,
    ],
    project,
  );
  state.timings.installMs = state.installed.ms;
  cpSync(CHECKPOINT, join(project, 'checkpoint'), { recursive: true });
  cpSync(join(ROOT, 'scripts/pack-install-smoke.mjs'), join(project, 'smoke.mjs'));
}, STEP_TIMEOUT_MS * 2);

afterAll(() => {
  if (state.dir !== '') rmSync(state.dir, { recursive: true, force: true });
  if (Object.keys(state.timings).length > 0) console.info(`pack-install timings: ${JSON.stringify(state.timings)}`);
});

/** `@r1/x` and `@r1/x/sub` for every subpath export except package.json. */
function entryPoints(): string[] {
  return [...state.manifests.values()].flatMap(({ manifest }) =>
    Object.keys(manifest.exports ?? { '.': null })
      .filter((sub) => sub !== './package.json')
      .map((sub) => `${manifest.name}${sub.slice(1)}`),
  );
}

describe('packages install on their own', () => {
  test('every package builds', (ctx) => {
    need(state.missing.length === 0, state.missing.join('; '), ctx.skip);
    expect(state.built?.ok, state.built?.output.slice(-4000)).toBe(true);
  });

  test.for(PACKAGES)('%s: packs, and its packed manifest is sound', (dir, ctx) => {
    need(state.missing.length === 0, state.missing.join('; '), ctx.skip);
    const packed = state.packed.get(dir);
    expect(packed?.tarball, packed?.run.output.slice(-2000)).toBeTruthy();
    const { manifest, files, sources } = state.manifests.get(dir)!;
    expect(manifestProblems(manifest, files, sources)).toEqual([]);
  });

  test('the tarballs install with plain npm into an empty project', (ctx) => {
    need(state.missing.length === 0, state.missing.join('; '), ctx.skip);
    expect(state.installed?.ok, state.installed?.output.slice(-4000)).toBe(true);
  });

  test(
    'there: every entry point imports, mathVerify runs, checkRewardLaws passes accuracyReward, the demo checkpoint generates',
    (ctx) => {
      need(state.missing.length === 0, state.missing.join('; '), ctx.skip);
      need(state.installed?.ok === true, 'the npm install failed (see the test above)', ctx.skip);
      const project = join(state.dir, 'project');
      const out = join(state.dir, 'smoke.json');
      const entries = entryPoints();
      const r = run(process.execPath, ['smoke.mjs', out, JSON.stringify(entries), './checkpoint'], project);
      state.timings.smokeMs = r.ms;
      expect(r.ok, r.output.slice(-4000)).toBe(true);
      const result = JSON.parse(readFileSync(out, 'utf8'));
      expect(result.errors).toEqual([]);
      for (const entry of entries) expect(result.imported[entry], entry).toBeGreaterThan(0);
      expect(entries).toContain('@r1/rewards/testing');
      expect(result.mathVerify).toEqual([true, false]);
      expect(result.checkRewardLaws).toEqual({ ok: true, failures: [], brokenCaught: true });
      expect(result.generate.tokens).toBeGreaterThan(0);
    },
    STEP_TIMEOUT_MS,
  );

  test.for(RESOLUTIONS)(
    'the .d.ts files of every entry point resolve and type-check under moduleResolution %s',
    { timeout: STEP_TIMEOUT_MS },
    (resolution, ctx) => {
      need(state.missing.length === 0, state.missing.join('; '), ctx.skip);
      need(state.installed?.ok === true, 'the npm install failed (see the test above)', ctx.skip);
      const project = join(state.dir, 'project');
      const entries = entryPoints();
      const lines = entries.map((e, i) => `import * as m${i} from '${e}';`);
      lines.push(`export const entries = [${entries.map((_, i) => `m${i}`).join(', ')}];`);
      // A few signatures whose types live in shared .d.ts chunks: `any` here would mean a chunk did not resolve.
      lines.push(
        "import type { RewardFn, Sample } from '@r1/rewards';",
        "import { checkRewardLaws, type LawCase } from '@r1/rewards/testing';",
        'type IsAny<T> = 0 extends 1 & T ? true : false;',
        'export const typed: [IsAny<Sample>, IsAny<RewardFn>, IsAny<LawCase>, IsAny<Parameters<typeof checkRewardLaws>[0]>] = [false, false, false, false];',
      );
      writeFileSync(join(project, `check-${resolution}.ts`), `${lines.join('\n')}\n`);
      const module = resolution === 'node16' ? 'node16' : 'esnext';
      const tsconfig = {
        compilerOptions: {
          module,
          moduleResolution: resolution,
          target: 'ES2022',
          strict: true,
          noEmit: true,
          // Checked, so that an error inside our .d.ts shows; tfjs's own .d.ts have errors, which are filtered out.
          skipLibCheck: false,
          types: ['node'],
        },
        files: [`check-${resolution}.ts`],
      };
      writeFileSync(join(project, `tsconfig.${resolution}.json`), JSON.stringify(tsconfig));
      const r = run(
        process.execPath,
        [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', `tsconfig.${resolution}.json`],
        project,
      );
      state.timings[`tsc_${resolution}_ms`] = r.ms;
      const ours = r.output
        .split('\n')
        .filter(
          (l) =>
            /^(check-|node_modules\/@r1\/)/.test(l) || (/error TS\d+/.test(l) && !/node_modules\/(?!@r1\/)/.test(l)),
        );
      expect(ours).toEqual([]);
    },
  );
});
