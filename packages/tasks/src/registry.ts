/**
 * The built-in task registry: names to constructors, so a config file can say `task: 'countdown'`.
 *
 * Deliberately not here: registration of user tasks at run time (pass your own Task object instead — no global
 * mutable registry).
 */

import { type ArithmeticOptions, type ArithmeticPreset, type ArithmeticTask, arithmeticTask } from './arithmetic';
import { type CountdownOptions, type CountdownPreset, type CountdownTask, countdownTask } from './countdown';
import { closestName } from './resolve';

export const BUILTIN_TASKS = ['arithmetic', 'countdown'] as const;

export type BuiltinTaskName = (typeof BUILTIN_TASKS)[number];

/** The options each built-in task accepts: a partial config or a preset name. */
export interface BuiltinTaskOptions {
  arithmetic: Partial<ArithmeticOptions> | ArithmeticPreset;
  countdown: Partial<CountdownOptions> | CountdownPreset;
}

export interface BuiltinTasks {
  arithmetic: ArithmeticTask;
  countdown: CountdownTask;
}

export function isBuiltinTaskName(name: unknown): name is BuiltinTaskName {
  return typeof name === 'string' && (BUILTIN_TASKS as readonly string[]).includes(name);
}

/**
 * A built-in task by name.
 *
 * @example
 * const task = createTask('arithmetic', { maxOperands: 2 });
 * task.reward; // 'accuracy'
 * for (const item of task.stream({ split: 'train', seed: 7, count: 3 })) console.log(item.prompt);
 */
export function createTask<N extends BuiltinTaskName>(name: N, options?: BuiltinTaskOptions[N]): BuiltinTasks[N];
export function createTask(name: BuiltinTaskName, options?: BuiltinTaskOptions[BuiltinTaskName]) {
  if (!isBuiltinTaskName(name)) {
    const hint = typeof name === 'string' ? closestName(name, BUILTIN_TASKS) : undefined;
    throw new TypeError(
      `Unknown task ${JSON.stringify(name)}.${hint ? ` Did you mean '${hint}'?` : ''} ` +
        `Built-in tasks: ${BUILTIN_TASKS.join(', ')}.`,
    );
  }
  switch (name) {
    case 'arithmetic':
      return arithmeticTask(options as BuiltinTaskOptions['arithmetic']);
    case 'countdown':
      return countdownTask(options as BuiltinTaskOptions['countdown']);
    default: {
      const never: never = name;
      throw new TypeError(`unhandled task ${String(never)}`);
    }
  }
}
