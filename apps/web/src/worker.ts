/**
 * The Web Worker's entry. It loads the engine (and with it @udekit/kernels, which picks its
 * backend at load time) only after the page's first message says whether the page has
 * WebAssembly: a page without it (a browser with WebAssembly switched off, or the end-to-end test
 * that deletes it) gets a worker without it too, which then runs the TypeScript kernels and says so.
 */
import type { PageRequest, WorkerReply } from "./protocol.js";

const scope = globalThis as unknown as {
  postMessage(reply: WorkerReply): void;
  addEventListener(type: "message", listener: (e: MessageEvent<PageRequest>) => void): void;
};
const post = (reply: WorkerReply) => scope.postMessage(reply);

let handler: Promise<(request: PageRequest) => void> | undefined;

scope.addEventListener("message", (e) => {
  const request = e.data;
  if (request.type === "init") {
    if (!request.wasm) Reflect.deleteProperty(globalThis, "WebAssembly");
    handler = import("./engine.js").then((engine) => engine.start(post, request.problem));
    handler.catch((err: unknown) =>
      post({
        type: "error",
        name: "LoadError",
        message: `the worker could not load udekit: ${(err as Error)?.message ?? String(err)}. Fix: reload the page; if it persists, report it with your browser's version.`,
        request: "init",
      }),
    );
    return;
  }
  void handler?.then((handle) => handle(request));
});
