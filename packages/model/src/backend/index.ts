export { BACKEND_NAMES, type BackendName, type BackendPreference, parseBackendPreference } from './backend-name';
export { type BackendInfo, disposeBackend, type InitBackendOptions, initBackend } from './init-backend';
export { readFloats } from './read-floats';
export { WASM_KERNEL_PACK } from './wasm-kernels';
