import type { Verdict } from "../gates/gate.js";
import { type Html, html, raw } from "./html.js";

const CSS = `
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1b1b1b;background:#fafafa}
header.top{background:#1f2937;color:#fff;padding:.6rem 1.2rem}header.top a{color:#fff;text-decoration:none;font-weight:600}
main{padding:1rem 1.2rem;max-width:1200px}
h1{font-size:1.4rem;margin:.4rem 0}h2{font-size:1.1rem;margin:1.4rem 0 .5rem}
table{border-collapse:collapse;background:#fff;font-size:.9rem}th,td{border:1px solid #ddd;padding:.3rem .55rem;text-align:left;vertical-align:top}
th{background:#f0f0f0}td.num{text-align:right;font-variant-numeric:tabular-nums}
.verdict{display:inline-block;padding:.1rem .5rem;border-radius:.7rem;font-weight:600;font-size:.85rem;color:#fff}
.verdict-pass{background:#1a7f37}.verdict-fail{background:#cf222e}.verdict-inconclusive{background:#9a6700}
.reason{font-size:1.05rem;background:#fff;border-left:5px solid #999;padding:.6rem .9rem;margin:.6rem 0}
.reason.verdict-fail-border{border-color:#cf222e}.reason.verdict-pass-border{border-color:#1a7f37}.reason.verdict-inconclusive-border{border-color:#9a6700}
.plots{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0;background:#fff;border:1px solid #ddd;padding:.4rem}
figcaption{font-size:.85rem;color:#444;max-width:560px;padding:.2rem .3rem}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.15rem .8rem;font-size:.9rem}dl.meta dt{color:#555}dl.meta dd{margin:0;font-family:ui-monospace,monospace}
.note{color:#555;font-size:.85rem}
`;

export function verdictBadge(v: Verdict): Html {
  return html`<span class="verdict verdict-${v}" data-verdict="${v}">${v}</span>`;
}

/** A whole page: inline CSS, no script, so it works offline, without JavaScript and as a file. */
export function page(title: string, body: Html, opts: { nav?: boolean } = {}): string {
  return `<!doctype html>\n${html`<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${title}</title><style>${raw(CSS)}</style></head><body>${opts.nav === false ? "" : html`<header class="top"><a href="/ui">modelgate</a></header>`}<main>${body}</main></body></html>`}`;
}
