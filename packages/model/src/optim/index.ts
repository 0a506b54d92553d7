export { type AdamWStep, adamwUpdate } from './adamw-update';
