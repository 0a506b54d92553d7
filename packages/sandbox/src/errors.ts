/**
 * The one error of this package: the sandbox cannot be set up here. It always says how to fix it. There is no
 * fallback that runs code unsandboxed — callers turn this error into the `sandbox_error` status.
 */
export class SandboxUnavailableError extends Error {
  override readonly name = 'SandboxUnavailableError';
  /** What to do about it, e.g. "apt-get install bubblewrap". */
  readonly fix: string;

  constructor(detail: string, fix: string, options?: { cause?: unknown }) {
    super(`sandbox unavailable: ${detail}. ${fix}`, options);
    this.fix = fix;
  }
}
