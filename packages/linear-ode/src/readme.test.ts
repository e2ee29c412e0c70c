/** Runs every example of README.md (the code blocks are copied here verbatim). */
import { describe, expect, test } from "vitest";

describe("README examples", () => {
  test("matrix exponential, Fréchet derivative, expmv", async () => {
    // --- README: Quick start ---
    const { tensor } = await import("@udekit/autodiff");
    const { expm, expmFrechet, expmv } = await import("@udekit/linear-ode");

    // exp of a rotation generator is a rotation: [[cos 1, −sin 1], [sin 1, cos 1]]
    const A = tensor([
      [0, -1],
      [1, 0],
    ]);
    const X = expm(A);

    // exp(A) and its derivative in the direction E, together
    const E = tensor([
      [0, 1],
      [0, 0],
    ]);
    const { L } = expmFrechet(A, E);

    // exp(tA)·v at several times without forming exp(tA): rows are times
    const Y = expmv([0.5, 1, 2], A, tensor([1, 0]));
    // --- end ---
    // Closed forms; rounding of a well-conditioned 2×2: 1e-15.
    expect(X.data[0]).toBeCloseTo(Math.cos(1), 15);
    expect(X.data[2]).toBeCloseTo(Math.sin(1), 15);
    expect(Y.shape).toEqual([3, 2]);
    expect(Y.data[2]).toBeCloseTo(Math.cos(1), 14);
    expect(L.shape).toEqual([2, 2]);
  });

  test("differentiable linear-ODE fit", async () => {
    // --- README: Fitting du/dt = A(P)·u ---
    const { diag, square, sub, sum, tensor, valueAndGrad } = await import("@udekit/autodiff");
    const { solveLinearOde } = await import("@udekit/linear-ode");

    const P = tensor([
      [0, 1, 0],
      [0.5, 0, 0.5],
      [0, 2, 0],
    ]);
    const u0 = tensor([1, 0, 0]);
    const data = tensor([
      [1, 0, 0],
      [0.6, 0.3, 0.2],
      [0.4, 0.4, 0.3],
    ]);
    // A(P) = P − diag(P·1): du_i/dt = Σ_j P_ij (u_j − u_i)
    const loss = (p: typeof P) => {
      const A = sub(p, diag(sum(p, 1)));
      const u = solveLinearOde(A, u0, [0, 1, 2]); // rows: u(0), u(1), u(2)
      return sum(square(sub(u, data)));
    };
    const [value, dP] = valueAndGrad(loss)(P);
    // --- end ---
    expect(value.item()).toBeGreaterThan(0);
    // The diagonal of P cancels in A(P): its gradient is exactly zero.
    expect(dP.data[0]).toBe(0);
    expect(dP.data[4]).toBe(0);
  });
});
