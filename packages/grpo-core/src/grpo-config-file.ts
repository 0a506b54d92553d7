/**
 * Reads a GRPO config from a YAML or JSON file. Keys may be our camelCase names or TRL's snake_case ones
 * (`learning_rate`, `num_generations`, …), so a TRL recipe's GRPO section loads as is; TRL's boolean
 * `scale_rewards: true | false` means 'group' | 'none'. Every error names the file, the line (from the YAML parser's
 * positions — JSON is parsed by the same parser for that) and the key as written in the file. It does not merge
 * several files or read environment variables or command-line flags.
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { GRPO_CONFIG_KEYS, type GRPOConfig, type ResolvedGRPOConfig } from './grpo-config';
import { snakeToCamel } from './nearest-name';
import { type ConfigIssue, GRPOConfigError, resolveGRPOConfig } from './resolve-grpo-config';

const KNOWN = new Set<string>(GRPO_CONFIG_KEYS);

/**
 * Reads, checks and resolves a config file (`.yaml`, `.yml` or `.json`). Fields the file leaves out take
 * `DEFAULT_GRPO_CONFIG` values.
 *
 * @throws Error naming the file when it cannot be read or parsed; GRPOConfigError (file, line, key, fix for each
 *   problem) when it parses but is not a valid config
 * @example
 * ```ts
 * // grpo.yaml:  num_generations: 4\n  learning_rate: 3.0e-6\n  loss_type: dr_grpo
 * const config = loadGRPOConfigFile('grpo.yaml');
 * ```
 */
export function loadGRPOConfigFile(path: string): ResolvedGRPOConfig {
  const format = formatOf(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new Error(`${path}: cannot read the GRPO config file (${code}); check the path`);
  }
  return parseGRPOConfig(text, { source: path, format });
}

export interface ParseGRPOConfigOptions {
  /** Name used in error messages (the file path). Default `'<config>'`. */
  source?: string;
  /** Default `'yaml'` (which also reads JSON, but without JSON's strictness). */
  format?: 'yaml' | 'json';
}

/** `loadGRPOConfigFile` without the file system: parses `text` and resolves it. */
export function parseGRPOConfig(text: string, options: ParseGRPOConfigOptions = {}): ResolvedGRPOConfig {
  const source = options.source ?? '<config>';
  if (options.format === 'json') checkJson(text, source);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const [error] = doc.errors;
  if (error !== undefined) {
    const line = error.linePos?.[0].line;
    throw new Error(`${source}${line === undefined ? '' : `:${line}`}: not valid YAML: ${firstLine(error.message)}`);
  }
  if (doc.contents === null) return resolveGRPOConfig({});
  if (!isMap(doc.contents)) {
    throw new Error(`${source}: a GRPO config must be a mapping of option: value, e.g. "num_generations: 8"`);
  }

  const values = doc.toJS() as Record<string, unknown>;
  const partial: Record<string, unknown> = {};
  const written = new Map<string, { key: string; line: number }>(); // field → how and where the file wrote it
  const issues: ConfigIssue[] = [];
  for (const pair of doc.contents.items) {
    const keyNode = pair.key;
    const line = isScalar(keyNode) && keyNode.range ? lineCounter.linePos(keyNode.range[0]).line : undefined;
    const key = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
    const field = KNOWN.has(key) ? key : KNOWN.has(snakeToCamel(key)) ? snakeToCamel(key) : key;
    const earlier = written.get(field);
    if (earlier !== undefined) {
      issues.push({
        field: key,
        line,
        message: `sets ${field} again (already set as ${earlier.key} on line ${earlier.line}); keep one of them`,
      });
      continue;
    }
    written.set(field, { key, line: line ?? 0 });
    partial[field] = trlCompatible(field, values[key]);
  }
  if (issues.length > 0) throw new GRPOConfigError(issues, source);

  try {
    return resolveGRPOConfig(partial as Partial<GRPOConfig>);
  } catch (e) {
    if (!(e instanceof GRPOConfigError)) throw e;
    const located = e.issues.map((issue): ConfigIssue => {
      const where = written.get(issue.field);
      return where === undefined ? issue : { ...issue, field: where.key, line: where.line || undefined };
    });
    throw new GRPOConfigError(located, source);
  }
}

/** TRL spellings of values that mean the same thing here. */
function trlCompatible(field: string, value: unknown): unknown {
  if (field === 'scaleRewards' && typeof value === 'boolean') return value ? 'group' : 'none';
  return value;
}

function formatOf(path: string): 'yaml' | 'json' {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  throw new Error(`${path}: a GRPO config file must end in .yaml, .yml or .json (got "${ext || 'no extension'}")`);
}

/** JSON.parse's verdict (YAML would accept comments, single quotes, …), with its position turned into a line. */
function checkJson(text: string, source: string): void {
  try {
    JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const line = position === undefined ? undefined : text.slice(0, Number(position)).split('\n').length;
    throw new Error(`${source}${line === undefined ? '' : `:${line}`}: not valid JSON: ${message}`);
  }
}

/** The parser's first line without its own "at line L, column C:" (the location is already in front). */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/\s+at line \d+, column \d+:?$/, '');
}
