// Prints what a fresh large Float64Array costs against a reused one on this machine: the reason
// for the buffer pool (src/buffer-pool.ts) and the numbers its README paragraph quotes.
// Run from packages/kernels: node scripts/first-touch.mjs
const REPEATS = 200;
for (const n of [1e4, 4e4, 1e5, 1e6]) {
  let sink = 0;
  let t = performance.now();
  for (let i = 0; i < REPEATS; i++) {
    const a = new Float64Array(n);
    a.fill(1);
    sink += a[n >> 1];
  }
  const fresh = (performance.now() - t) / REPEATS;
  const reused = new Float64Array(n);
  t = performance.now();
  for (let i = 0; i < REPEATS; i++) {
    reused.fill(1);
    sink += reused[n >> 1];
  }
  const warm = (performance.now() - t) / REPEATS;
  console.log(
    `${String(n).padStart(7)} entries (${((n * 8) / 1024).toFixed(0).padStart(4)} KB): fresh + fill ${fresh.toFixed(3)} ms, reused + fill ${warm.toFixed(3)} ms (${(fresh / warm).toFixed(1)}×)${sink < 0 ? "" : ""}`,
  );
}
