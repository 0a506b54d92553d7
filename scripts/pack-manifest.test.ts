import { describe, expect, test } from 'vitest';
import { bareImports, manifestProblems, type PackedManifest } from './pack-manifest';

const GOOD: PackedManifest = {
  name: '@r1/x',
  main: './dist/index.js',
  types: './dist/index.d.ts',
  files: ['dist'],
  engines: { node: '>=20' },
  exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js' } },
  dependencies: { yaml: '2.9.1' },
  peerDependencies: { 'fast-check': '^4.0.0' },
  devDependencies: { wabt: '1.0.39' },
};
const FILES = ['package.json', 'dist/index.js', 'dist/index.d.ts'];

describe('manifestProblems', () => {
  test('a sound manifest has none', () => {
    const sources = { 'dist/index.js': 'import { a } from "yaml";\nimport fc from "fast-check";\nimport "node:fs";' };
    expect(manifestProblems(GOOD, FILES, sources)).toEqual([]);
  });

  test.each<[string, PackedManifest, Record<string, string>, RegExp]>([
    ['workspace range', { ...GOOD, dependencies: { '@r1/y': 'workspace:*' } }, {}, /'workspace:' range is left/],
    ['no files', { ...GOOD, files: undefined }, {}, /'files' must list "dist"/],
    ['no engines', { ...GOOD, engines: undefined }, {}, /'engines.node' is missing/],
    [
      'types second',
      { ...GOOD, exports: { '.': { import: './dist/index.js', types: './dist/index.d.ts' } } },
      {},
      /"types" condition must come first/,
    ],
    [
      'missing target',
      { ...GOOD, exports: { ...GOOD.exports, './testing': { types: './dist/t.d.ts', import: './dist/t.js' } } },
      {},
      /exports\["\.\/testing"\] points at \.\/dist\/t\.d\.ts, which is not in the tarball/,
    ],
    [
      'dev-only import',
      GOOD,
      { 'dist/index.js': 'const w = await import("wabt");' },
      /imports 'wabt', which is only a devDependency/,
    ],
    [
      'undeclared import',
      GOOD,
      { 'dist/index.js': 'import x from "@scope/pkg/sub";' },
      /imports '@scope\/pkg', which is not a dependency/,
    ],
    [
      'bin without #!',
      { ...GOOD, bin: { t: './dist/index.js' } },
      { 'dist/index.js': 'console.log(1)' },
      /bin t \(\.\/dist\/index\.js\) has no #! line/,
    ],
  ])('%s', (_name, manifest, sources, message) => {
    expect(manifestProblems(manifest, FILES, sources).join('\n')).toMatch(message);
  });
});

test('bareImports finds packages, not relative paths or builtins', () => {
  const src = 'import a from "./a.js";\nexport { b } from "@x/y/z";\nrequire("fs");\nimport("node:path");\nimport "c";';
  expect(bareImports(src)).toEqual(['@x/y', 'c']);
});
