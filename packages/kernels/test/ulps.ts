/** Distance in units in the last place between two finite doubles of the same sign (tanh tests and scripts). */
const bits = new BigInt64Array(1);
const view = new Float64Array(bits.buffer);

export function ulps(a: number, b: number): number {
  if (a === b) return 0;
  view[0] = a;
  const ia = bits[0];
  view[0] = b;
  const ib = bits[0];
  return Number(ia > ib ? ia - ib : ib - ia);
}
