// Internal: not exported from the package.

/**
 * Instances kept alive for the life of the module, one idle instance per hot class.
 *
 * V8 compiles optimized code against a class's hidden class (its "map") but holds that map
 * only weakly: once no instance of the class is left and a garbage collection runs (between
 * two streams, say), the map is freed and every optimized function built for it is thrown
 * away, so the next stream starts over in the interpreter. An idle instance, holding no bytes,
 * keeps the map, and every new instance takes it.
 *
 * A field that once holds a heap number where it held small integers (an offset computed as
 * `high * 2 ** 32 + low`, say) moves the class to another hidden class, which no idle instance
 * keeps: pass lengths and offsets as small integers. The `test/warm.test.ts` of header and footer
 * check all this with V8's deoptimization trace (they run this package's classes too).
 */
const residents: object[] = [];

/** Keeps `instances` alive for the life of the module (see above). */
export function keepWarm(...instances: object[]): void {
  residents.push(...instances);
}
