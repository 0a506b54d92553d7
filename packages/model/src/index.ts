/**
 * @r1/model — the only package that knows tfjs backends and kernels.
 * Other packages import tfjs through here (`import { tf } from '@r1/model'`) so the whole process shares one engine.
 */
export * as tf from '@tensorflow/tfjs';
export * from './backend/index';
export * from './io/index';
export * from './nn/index';
export * from './optim/index';
