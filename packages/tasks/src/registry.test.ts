import { describe, expect, test } from 'vitest';
import { BUILTIN_TASKS, createTask, isBuiltinTaskName } from './registry';

describe('createTask', () => {
  test.each(BUILTIN_TASKS.map((name) => [name]))('%s builds and generates', (name) => {
    const task = createTask(name);
    expect(task.name).toBe(name);
    expect(task.generate({ split: 'train', count: 2, seed: 0 })).toHaveLength(2);
  });

  test('rewards are named', () => {
    expect(createTask('arithmetic').reward).toBe('accuracy');
    expect(createTask('countdown').reward).toBe('countdown');
  });

  test('options and presets pass through', () => {
    expect(createTask('arithmetic', { maxValue: 5 }).options.maxValue).toBe(5);
    expect(createTask('countdown', 'tiny').options.maxNumber).toBe(9);
  });

  test('an unknown name is rejected with a hint', () => {
    expect(() => createTask('arithmatic' as 'arithmetic')).toThrow(
      /Unknown task "arithmatic"\. Did you mean 'arithmetic'\? Built-in tasks: arithmetic, countdown\./,
    );
    expect(isBuiltinTaskName('countdown')).toBe(true);
    expect(isBuiltinTaskName(3)).toBe(false);
  });
});
