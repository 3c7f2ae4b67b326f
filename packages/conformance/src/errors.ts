/**
 * Thrown when a strategy breaks a conformance property. The message names the strategy, the
 * property and what went wrong; `cause` holds fast-check's report (seed, counterexample) or the
 * exception the strategy threw.
 */
export class ConformanceError extends Error {
  override get name(): string {
    return 'ConformanceError';
  }
}
