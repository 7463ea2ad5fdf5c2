// Observable Plot rendered to an SVG string: in Node on linkedom's DOM, in the browser on the real document.
import * as Plot from '@observablehq/plot';

let nodeDocument: Document | undefined;

async function documentFor(): Promise<Document> {
  if (typeof globalThis.document !== 'undefined') return globalThis.document;
  if (!nodeDocument) {
    // a variable specifier keeps bundlers from pulling the Node-only DOM into the browser build
    const specifier = 'linkedom';
    const { parseHTML } = (await import(/* @vite-ignore */ specifier)) as typeof import('linkedom');
    nodeDocument = parseHTML('<!doctype html><html><head></head><body></body></html>').document as unknown as Document;
  }
  return nodeDocument;
}

/**
 * Plot options → standalone SVG markup. Plot's own legends and captions are HTML beside the <svg> (a standalone
 * .svg cannot carry them), so they are dropped; figures draw their key inside the SVG instead. `extra` is raw SVG
 * appended inside the root element (e.g. the key's dash samples).
 */
export async function renderSvg(options: Plot.PlotOptions, extra = ''): Promise<string> {
  const document = await documentFor();
  const node = Plot.plot({ ...options, document }) as unknown as Element;
  // a <figure> (title, legends) holds the plot as its last <svg>; the others are legend swatches
  const all = node.tagName.toLowerCase() === 'svg' ? [node] : Array.from(node.querySelectorAll('svg'));
  const svg = all[all.length - 1];
  if (!svg) throw new Error('Plot produced no <svg>');
  if (!svg.getAttribute('xmlns')) svg.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const html = svg.outerHTML;
  if (!extra) return html;
  const end = html.lastIndexOf('</svg>');
  return html.slice(0, end) + extra + html.slice(end);
}

export { Plot };
