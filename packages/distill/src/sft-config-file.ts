/**
 * Reads an SFT config from YAML (or JSON): TRL SFTConfig's snake_case names (`num_train_epochs`, `learning_rate`,
 * `packing`, …) or our camelCase ones, plus a `kd:` mapping. Every error names the file, the line and the key as
 * written; unknown keys get the nearest valid name. It does not merge files or read command-line flags (the CLI
 * applies those on top with `resolveSFTConfig`).
 */
import { readFileSync } from 'node:fs';
import type { ConfigIssue } from '@r1/grpo-core';
import { snakeToCamel } from '@r1/grpo-core';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { resolveSFTConfig, SFT_CONFIG_KEYS, type SFTConfig, SFTConfigError } from './sft-config';

const KNOWN = new Set<string>(SFT_CONFIG_KEYS);

/** The options a config file sets (camelCase keys), not yet merged with defaults: flags go on top of these. */
export function readSFTConfigFile(path: string): Partial<SFTConfig> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new Error(`${path}: cannot read the SFT config file (${code}); check the path`);
  }
  return parseSFTConfigText(text, path);
}

/** `readSFTConfigFile` without the file system; checks the values too (throws SFTConfigError with lines). */
export function parseSFTConfigText(text: string, source = '<config>'): Partial<SFTConfig> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const [error] = doc.errors;
  if (error !== undefined) {
    const line = error.linePos?.[0].line;
    const message = (error.message.split('\n')[0] ?? error.message).replace(/\s+at line \d+, column \d+:?$/, '');
    throw new Error(`${source}${line === undefined ? '' : `:${line}`}: not valid YAML: ${message}`);
  }
  if (doc.contents === null) return {};
  if (!isMap(doc.contents)) {
    throw new Error(`${source}: an SFT config must be a mapping of option: value, e.g. "learning_rate: 1.0e-4"`);
  }
  const values = doc.toJS() as Record<string, unknown>;
  const partial: Record<string, unknown> = {};
  const lines = new Map<string, number | undefined>();
  const written = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  for (const pair of doc.contents.items) {
    const node = pair.key;
    const line = isScalar(node) && node.range ? lineCounter.linePos(node.range[0]).line : undefined;
    const key = isScalar(node) ? String(node.value) : String(node);
    const field = KNOWN.has(key) ? key : KNOWN.has(snakeToCamel(key)) ? snakeToCamel(key) : key;
    const earlier = written.get(field);
    if (earlier !== undefined) {
      issues.push({ field: key, line, message: `sets ${field} again (already set as ${earlier}); keep one of them` });
      continue;
    }
    written.set(field, key);
    lines.set(field, line);
    partial[field] = values[key];
  }
  if (issues.length > 0) throw new SFTConfigError(issues, source);
  try {
    resolveSFTConfig(partial);
  } catch (e) {
    if (!(e instanceof SFTConfigError)) throw e;
    const located = e.issues.map((issue): ConfigIssue => {
      const top = issue.field.split('.')[0]!;
      const field = KNOWN.has(top) ? top : snakeToCamel(top);
      const line = lines.get(field) ?? lines.get(top);
      const spelled = written.get(field);
      return {
        ...issue,
        field: spelled === undefined ? issue.field : issue.field.replace(top, spelled),
        ...(line === undefined ? {} : { line }),
      };
    });
    throw new SFTConfigError(located, source);
  }
  return partial as Partial<SFTConfig>;
}
