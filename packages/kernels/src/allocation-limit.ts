/**
 * The size guard every allocation from a user-given size goes through (kernels' arena, autodiff's
 * tensors and op outputs, ode's workspaces): one array may not exceed a limit, 2 GiB by default,
 * so an n = 100 000 problem's n×n matrix (80 GB) is refused at once with what it needs and what
 * to do, instead of a V8 heap crash after a minute (issue #21). The default is far above every
 * array udekit's own problems allocate (the largest benchmark array is ~0.3 GB) and below what a
 * browser tab can usually hold; a machine with more memory raises it.
 */
import { AllocationLimitError, KernelShapeError } from "./errors.js";

const DEFAULT_LIMIT_BYTES = 2 ** 31;
let limitBytes = DEFAULT_LIMIT_BYTES;

/** Sets the largest array (in bytes) udekit allocates; returns the previous limit. */
export function setAllocationLimit(bytes: number): number {
  if (!(bytes > 0) || !Number.isFinite(bytes)) {
    throw new AllocationLimitError(
      `setAllocationLimit: the limit must be a positive finite number of bytes; got ${bytes}.`,
    );
  }
  const previous = limitBytes;
  limitBytes = bytes;
  return previous;
}

/** The current limit in bytes (default 2 GiB). */
export function allocationLimit(): number {
  return limitBytes;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toPrecision(3)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toPrecision(3)} MB`;
  return `${bytes} bytes`;
}

/**
 * Throws AllocationLimitError when `entries` values of `bytesPerEntry` bytes exceed the limit, and
 * KernelShapeError when `entries` is not a whole number ≥ 0.
 * `what` names the array for the message, e.g. "zeros([100000, 100000])"; pass a function to build
 * it only when the check fails (hot callers: building the string on every call cost more than the check).
 */
export function checkAllocation(entries: number, what: string | (() => string), bytesPerEntry = 8): void {
  if (Number.isInteger(entries) && entries >= 0 && entries * bytesPerEntry <= limitBytes) return;
  refuseAllocation(entries, typeof what === "string" ? what : what(), bytesPerEntry);
}

function refuseAllocation(entries: number, what: string, bytesPerEntry: number): never {
  if (!Number.isInteger(entries) || entries < 0) {
    throw new KernelShapeError(
      `${what}: an array's size must be a whole number ≥ 0; got ${entries}. Pass the number of entries.`,
    );
  }
  const bytes = entries * bytesPerEntry;
  throw new AllocationLimitError(
    `${what} needs ${formatBytes(bytes)} for one array (${entries} entries of ${bytesPerEntry} bytes), above the ${formatBytes(limitBytes)} udekit allows per array. ` +
      "Fix: make the problem smaller (an n×n matrix at n = 100 000 is 80 GB: fewer nodes, or a sparse or low-rank structure), " +
      "or, if the machine has the memory, raise the limit with setAllocationLimit(bytes).",
  );
}
