import { report } from '../../../scripts/bench-lib';
report({ name: 'smoke', value: 1.5, unit: 'ms', backend: 'none' });
