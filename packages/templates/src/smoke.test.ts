import { expect, test } from 'vitest';
import * as t from '@r1/templates';
test('alias works', () => { expect(t).toBeDefined(); });
