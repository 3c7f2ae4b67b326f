/**
 * Instances kept alive for the life of the module.
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

/**
 * Keeps `instances` alive for the life of the module, so that V8 keeps the optimized code of
 * their classes when every other instance is gone (see the notes above). A strategy module calls
 * it once, at its end, with an idle decoder and encoder: `keepWarm(s.createDecoder(), s.createEncoder())`.
 */
export function keepWarm(...instances: object[]): void {
  residents.push(...instances);
}
