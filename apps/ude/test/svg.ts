/**
 * Reading the structure of the app's SVG pictures in tests, without a DOM: vega writes every
 * mark item as one element with an aria-label ("field: value; field: value") and an
 * aria-roledescription ("point", "line mark", "rect", …), and each mark group as
 * <g class="mark-<type> role-mark <name>_marks">. Tests count items, read their data back from the
 * labels and check positions against the plot area, instead of comparing bytes.
 */

/** One mark item: its attributes and the data its aria-label carries. */
export interface SvgItem {
  attrs: Record<string, string>;
  data: Record<string, string>;
}

function attributes(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)="([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

/** vega writes minus signs as U+2212 in labels. */
export function labelNumber(s: string): number {
  return Number(s.replace(/\u2212/g, "-"));
}

function labelData(label: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of label.split("; ")) {
    const at = part.indexOf(": ");
    if (at > 0) out[part.slice(0, at)] = part.slice(at + 2);
  }
  return out;
}

/** Every element whose aria-roledescription is `role` ("point", "line mark", "rect", "rule", …). */
export function items(svg: string, role: string): SvgItem[] {
  const out: SvgItem[] = [];
  for (const m of svg.matchAll(/<(path|line|rect|text)\b[^>]*>/g)) {
    const attrs = attributes(m[0]);
    if (attrs["aria-roledescription"] !== role) continue;
    out.push({ attrs, data: labelData(attrs["aria-label"] ?? "") });
  }
  return out;
}

/** The x, y of an item's transform="translate(x,y)" (points), in the plot area's pixels. */
export function position(item: SvgItem): [number, number] {
  const m = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(item.attrs.transform ?? "");
  if (!m) throw new Error(`item without a translate(): ${JSON.stringify(item.attrs)}`);
  return [Number(m[1]), Number(m[2])];
}

/** The vertices of a line item's path (M x,y L x,y …). */
export function vertices(item: SvgItem): [number, number][] {
  return [...(item.attrs.d ?? "").matchAll(/[ML]([-\d.e]+),([-\d.e]+)/g)].map((m) => [
    Number(m[1]),
    Number(m[2]),
  ]);
}

/** Every aria-label of the SVG (axes, legends, title). */
export function labels(svg: string): string[] {
  return [...svg.matchAll(/aria-label="([^"]*)"/g)].map((m) => m[1]);
}

/**
 * Throws unless `text` is one well-formed SVG document: an <svg> root with the SVG namespace and
 * every element closed in order (a check of the XML structure, enough for what vega writes).
 */
export function assertSvg(text: string): void {
  const body = text.trim();
  if (!body.startsWith("<svg") || !/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/.test(body)) {
    throw new Error(`not an SVG document: starts with ${JSON.stringify(body.slice(0, 60))}`);
  }
  const stack: string[] = [];
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w:-]*)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing) continue;
    if (!closing) stack.push(name);
    else if (stack.pop() !== name)
      throw new Error(`</${name}> closes the wrong element at offset ${m.index}`);
  }
  if (stack.length > 0) throw new Error(`unclosed elements: ${stack.join(", ")}`);
  if (body.slice(body.lastIndexOf("<")) !== "</svg>") throw new Error("content after </svg>");
}
