/**
 * Reads a reward-model config from YAML (or JSON): TRL RewardConfig's snake_case names (`learning_rate`,
 * `center_rewards_coefficient`, …) or our camelCase ones. Every error names the file, the line and the key as
 * written; unknown keys get the nearest valid name. It returns the options as written (not merged with defaults),
 * so a CLI can put its flags on top and call `resolveRewardConfig` once.
 */
import { readFileSync } from 'node:fs';
import { type ConfigIssue, snakeToCamel } from '@r1/grpo-core';
import { isMap, isScalar, LineCounter, parseDocument } from 'yaml';
import { RewardConfigError, resolveRewardConfig } from './reward-config';

export function readRewardConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new Error(`${path}: cannot read the reward-model config file (${code}); check the path`);
  }
  return parseRewardConfigText(text, path);
}

/** `readRewardConfigFile` without the file system; checks the values too (throws RewardConfigError with lines). */
export function parseRewardConfigText(text: string, source = '<config>'): Record<string, unknown> {
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
    throw new Error(
      `${source}: a reward-model config must be a mapping of option: value, e.g. "learning_rate: 1.0e-4"`,
    );
  }
  const values = doc.toJS() as Record<string, unknown>;
  const lines = new Map<string, number | undefined>();
  const written = new Map<string, string>();
  const issues: ConfigIssue[] = [];
  for (const pair of doc.contents.items) {
    const node = pair.key;
    const line = isScalar(node) && node.range ? lineCounter.linePos(node.range[0]).line : undefined;
    const key = isScalar(node) ? String(node.value) : String(node);
    const field = snakeToCamel(key);
    const earlier = written.get(field);
    if (earlier !== undefined) {
      issues.push({ field: key, line, message: `sets ${field} again (already set as ${earlier}); keep one of them` });
      continue;
    }
    written.set(field, key);
    lines.set(field, line);
  }
  if (issues.length > 0) throw new RewardConfigError(issues, source);
  try {
    resolveRewardConfig(values);
  } catch (e) {
    if (!(e instanceof RewardConfigError)) throw e;
    throw new RewardConfigError(
      e.issues.map((issue) => {
        const field = snakeToCamel(issue.field);
        const line = lines.get(field);
        const spelled = written.get(field) ?? issue.field;
        return { ...issue, field: spelled, ...(line === undefined ? {} : { line }) };
      }),
      source,
    );
  }
  return values;
}
