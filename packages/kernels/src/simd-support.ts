/**
 * Feature detection for WebAssembly SIMD (the fixed-width 128-bit proposal, standard since
 * WebAssembly 2.0): `WebAssembly.validate` on the smallest module that uses a SIMD type and
 * instruction. Engines without SIMD reject it; environments without WebAssembly at all (or where
 * a content-security policy removed it) report false.
 */

/**
 * One function `() -> v128` whose body is `i32.const 0; f64.convert_i32_s; f64x2.splat; end`.
 * Layout (WebAssembly core spec §5.5): magic and version, type section (id 1), function section
 * (id 3), code section (id 10). 0x7b is the v128 value type, 0xfd 0x14 the f64x2.splat opcode.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01,
  0x00, 0x0a, 0x09, 0x01, 0x07, 0x00, 0x41, 0x00, 0xb7, 0xfd, 0x14, 0x0b,
]);

/** True when this engine can compile WebAssembly modules that use f64x2 SIMD. */
export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === "object" && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}
