/**
 * The versions results.json records, as the CLI's versions() does for Node: the browser (its
 * user agent instead of Node's version), the page, the app whose code it runs and each udekit
 * package, read from their package.json at build time.
 */
import autodiff from "@udekit/autodiff/package.json";
import kernels from "@udekit/kernels/package.json";
import linearOde from "@udekit/linear-ode/package.json";
import nn from "@udekit/nn/package.json";
import ode from "@udekit/ode/package.json";
import ude from "ude/package.json";
import web from "../package.json";

export function browserVersions(): Record<string, string> {
  return {
    browser: typeof navigator === "object" ? navigator.userAgent : "unknown",
    web: web.version,
    ude: ude.version,
    "@udekit/autodiff": autodiff.version,
    "@udekit/ode": ode.version,
    "@udekit/nn": nn.version,
    "@udekit/linear-ode": linearOde.version,
    "@udekit/kernels": kernels.version,
  };
}
