/**
 * Vite builds the playground into one self-contained dist/index.html (the page's script and
 * styles inlined, the worker inlined into the script as a blob), because a page opened from
 * file:// has an opaque origin: Chromium refuses to load module scripts or workers from files
 * next to it. The same file works from any static host. Workspace packages are bundled from
 * their TypeScript source (the "@udekit/source" export condition), so nothing needs building first.
 */
import { defaultClientConditions, defineConfig, type Plugin } from "vite";

/** `</script` inside inlined code would end the script element early. */
const escapeScript = (code: string) => code.replace(/<\/script/gi, "<\\/script");

/**
 * With code splitting off, Vite 8.4 turns `import()` into an inlined module but leaves the
 * preload helper's dependency-list marker unreplaced (a ReferenceError when the import runs).
 * Inlined modules have no files to preload: the helper takes `void 0` for "no dependencies".
 */
const dropPreloadMarkers = (code: string) => code.replace(/__VITE_PRELOAD__(?:[\da-f]{32})?/g, "void 0");

/** Moves the entry chunk and the stylesheet into index.html (what vite-plugin-singlefile does, in a few lines). */
function inlineIntoHtml(): Plugin {
  return {
    name: "udekit:inline-into-html",
    apply: "build",
    enforce: "post",
    generateBundle(_options, bundle) {
      const page = bundle["index.html"];
      if (page === undefined || page.type !== "asset") return;
      let html = String(page.source);
      for (const [fileName, item] of Object.entries(bundle)) {
        const tag = new RegExp(
          `<(script|link)[^>]*?(src|href)="\\./${fileName.replace(/[.]/g, "\\.")}"[^>]*>(</script>)?`,
        );
        if (!tag.test(html)) continue;
        if (item.type === "chunk") {
          html = html.replace(
            tag,
            () => `<script type="module">${escapeScript(dropPreloadMarkers(item.code))}</script>`,
          );
        } else if (fileName.endsWith(".css")) {
          html = html.replace(tag, () => `<style>${String(item.source)}</style>`);
        } else continue;
        delete bundle[fileName];
      }
      page.source = html;
    },
  };
}

export default defineConfig({
  base: "./",
  resolve: { conditions: ["@udekit/source", ...defaultClientConditions] },
  worker: {
    format: "iife",
    rolldownOptions: { output: { codeSplitting: false } },
  },
  build: {
    target: "es2022",
    modulePreload: false,
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: Number.POSITIVE_INFINITY,
    chunkSizeWarningLimit: 4096,
    rolldownOptions: { output: { codeSplitting: false } },
  },
  plugins: [inlineIntoHtml()],
});
