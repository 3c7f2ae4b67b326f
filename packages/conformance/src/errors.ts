/**
 * Thrown when a strategy breaks a conformance property. The message names the strategy, the
 * property, what went wrong and fast-check's report (seed, path, shrunk counterexample); `cause`
 * holds the error the failing case threw: a `ConformanceError` describing the breach, whose own
 * `cause` is the exception the strategy threw, if any.
 */
export class ConformanceError extends Error {
  override get name(): string {
    return 'ConformanceError';
  }
}
