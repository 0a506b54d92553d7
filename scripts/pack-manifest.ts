/**
 * Checks of a packed package (what `pnpm pack` put in the tarball), for scripts/pack-install.test.ts: the manifest's
 * `files`, `exports` (types first, every target present), `main`/`types`/`bin`, `engines`, no `workspace:` left, and
 * that every bare import in its JavaScript is a dependency or peer dependency (not a dev-only one) or a Node builtin.
 * Pure functions over the manifest and the unpacked files; no I/O.
 */
import { builtinModules } from 'node:module';

export interface PackedManifest {
  name?: string;
  private?: boolean;
  main?: string;
  types?: string;
  files?: string[];
  exports?: Record<string, unknown>;
  bin?: string | Record<string, string>;
  engines?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const BUILTINS = new Set(builtinModules);

/** The package a bare specifier names: `@scope/name` or `name` (subpaths dropped); null for relative or builtin. */
export function packageOf(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:')) return null;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return BUILTINS.has(name) ? null : name;
}

/** Bare specifiers of static imports, re-exports, dynamic imports and requires with a string literal. */
export function bareImports(source: string): string[] {
  const found = new Set<string>();
  const re = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"'\n]+)["']/g;
  for (const m of source.matchAll(re)) {
    const name = packageOf(m[1]!);
    if (name !== null) found.add(name);
  }
  return [...found].sort();
}

/** The file paths an `exports` value points at (conditions and subpaths flattened). */
function exportTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (value === null || typeof value !== 'object') return [];
  return Object.values(value).flatMap(exportTargets);
}

/**
 * Problems with a packed manifest; `files` are the tarball's paths relative to the package root ("dist/index.js"),
 * `sources` the text of its JavaScript files by path.
 */
export function manifestProblems(
  m: PackedManifest,
  files: readonly string[],
  sources: Record<string, string>,
): string[] {
  const problems: string[] = [];
  const has = (path: string) => files.includes(path.replace(/^\.\//, ''));
  const name = m.name ?? '(no name)';
  const say = (s: string) => problems.push(`${name}: ${s}`);

  const raw = JSON.stringify(m);
  if (raw.includes('workspace:'))
    say(`a 'workspace:' range is left in the packed manifest: ${raw.match(/"[^"]*":"workspace:[^"]*"/)?.[0]}`);
  if (!m.files?.includes('dist')) say(`'files' must list "dist" (got ${JSON.stringify(m.files)})`);
  if (!m.engines?.node) say(`'engines.node' is missing (the packages need node >= 20)`);
  for (const key of ['main', 'types'] as const) {
    const path = m[key];
    if (path === undefined) say(`'${key}' is missing`);
    else if (!has(path)) say(`'${key}' points at ${path}, which is not in the tarball (was it built?)`);
  }
  if (m.exports === undefined || m.exports['.'] === undefined) say(`'exports' has no "." entry`);
  for (const [subpath, target] of Object.entries(m.exports ?? {})) {
    if (target !== null && typeof target === 'object') {
      const conditions = Object.keys(target);
      if (conditions[0] !== 'types')
        say(`exports["${subpath}"]: the "types" condition must come first (got ${conditions})`);
      if (!conditions.includes('import') && !conditions.includes('default')) {
        say(`exports["${subpath}"] has no "import" or "default" condition`);
      }
    }
    for (const path of exportTargets(target)) {
      if (!has(path)) say(`exports["${subpath}"] points at ${path}, which is not in the tarball`);
    }
  }
  const bins = typeof m.bin === 'string' ? { [name]: m.bin } : (m.bin ?? {});
  for (const [bin, path] of Object.entries(bins)) {
    if (!has(path)) say(`bin ${bin} points at ${path}, which is not in the tarball`);
    else if (!sources[path.replace(/^\.\//, '')]?.startsWith('#!')) say(`bin ${bin} (${path}) has no #! line`);
  }
  const runtime = new Set([
    ...Object.keys(m.dependencies ?? {}),
    ...Object.keys(m.peerDependencies ?? {}),
    ...Object.keys(m.optionalDependencies ?? {}),
  ]);
  for (const [path, source] of Object.entries(sources)) {
    for (const dep of bareImports(source)) {
      if (dep === m.name || runtime.has(dep)) continue;
      const devOnly = m.devDependencies?.[dep] !== undefined;
      say(`${path} imports '${dep}', which is ${devOnly ? 'only a devDependency' : 'not a dependency'}`);
    }
  }
  return problems;
}
