// Exit codes of the CLI for errors a command throws (cli.ts's contract): an UdeError exits with
// its own code (2 for bad input, 1 for a failed run); a typed error of a udekit library exits 1
// with its name and message; anything else is an internal error, exit 1, with a request to
// report it. Each is one line on stderr. (Bad input end to end: test/bad-input.test.ts.)
import { ShapeError } from "@udekit/autodiff";
import { NotSquareError } from "@udekit/linear-ode";
import { ModelDefinitionError } from "@udekit/nn";
import { InvalidOptionError } from "@udekit/ode";
import { afterEach, describe, expect, test, vi } from "vitest";
import { buildProgram, main } from "./cli.js";
import { OptionError, RunError } from "./errors.js";

/** The real program plus a command `boom` that throws `error`. */
function throwing(error: unknown) {
  const program = buildProgram();
  program
    .command("boom")
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .action(() => {
      throw error;
    });
  return program;
}

/** main(["boom"]) with `error` thrown: its exit code and what it wrote to stderr. */
async function exitFor(error: unknown): Promise<{ code: number; stderr: string }> {
  const lines: string[] = [];
  vi.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  const code = await main(["boom"], throwing(error));
  vi.restoreAllMocks();
  return { code, stderr: lines.join("") };
}

afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.UDE_DEBUG;
});

describe("exit codes for errors thrown by a command", () => {
  test.each([
    ["@udekit/autodiff", new ShapeError("matmul: shapes [2, 3] and [2, 3] do not fit.")],
    ["@udekit/ode", new InvalidOptionError("reltol must be positive.")],
    ["@udekit/nn", new ModelDefinitionError("Dense: inDims = 0.")],
    ["@udekit/linear-ode", new NotSquareError("expm: A", [2, 3])],
  ])("a library error (%s) exits 1 with its name and message", async (_, error) => {
    const { code, stderr } = await exitFor(error);
    expect(code).toBe(1);
    expect(stderr).toBe(`ude: ${error.name}: ${error.message}\n`);
  });

  test.each([
    ["a TypeError", new TypeError("Cannot read properties of undefined (reading 'data')")],
    ["a plain Error", new Error("unexpected state")],
  ])("an internal error (%s) exits 1 and asks for a report", async (_, error) => {
    const { code, stderr } = await exitFor(error);
    expect(code).toBe(1);
    expect(stderr).toBe(
      `ude: internal error: ${error.message}. Fix: please report it with the command you ran (set UDE_DEBUG=1 to print the stack trace).\n`,
    );
  });

  test("a thrown non-Error is an internal error too; UDE_DEBUG adds the stack trace", async () => {
    expect(await exitFor("a string")).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^ude: internal error/),
    });
    process.env.UDE_DEBUG = "1";
    const { code, stderr } = await exitFor(new Error("with stack"));
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^ude: internal error: with stack\. Fix: please report it with the command you ran\.\nError: with stack\n\s+at /,
    );
  });

  test("an UdeError exits with its own code: 2 for bad usage, 1 for a failed run", async () => {
    expect(await exitFor(new OptionError("--reltol is -1. Fix: pass a positive number."))).toEqual({
      code: 2,
      stderr: "ude: --reltol is -1. Fix: pass a positive number.\n",
    });
    expect(await exitFor(new RunError("the solve failed. Fix: loosen the tolerances."))).toEqual({
      code: 1,
      stderr: "ude: the solve failed. Fix: loosen the tolerances.\n",
    });
  });

  test("without an error the command's exit code is 0", async () => {
    const program = buildProgram();
    program.command("fine").action(() => {});
    expect(await main(["fine"], program)).toBe(0);
  });
});
