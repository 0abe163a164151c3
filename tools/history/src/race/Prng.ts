/**
 * A small seeded generator (mulberry32): every random choice of a race comes from it, so a run
 * is replayed from its printed seed (the interleaving with the workers still varies).
 */
export const makePrng = (seed: number) => {
  let state = seed >>> 0
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  const pick = <A>(items: ReadonlyArray<A>): A => items[Math.floor(next() * items.length)]!
  const weighted = <A>(choices: ReadonlyArray<readonly [A, number]>): A => {
    const total = choices.reduce((s, [, w]) => s + w, 0)
    let r = next() * total
    for (const [a, w] of choices) {
      r -= w
      if (r < 0) return a
    }
    return choices[choices.length - 1]![0]
  }
  return { next, int, pick, weighted }
}
export type Prng = ReturnType<typeof makePrng>
