/**
 * The offline HTML report (index.html): summary, tables, the charts interactive (vega, vega-lite and vega-embed
 * inlined, so it works from file:// with no network), the hardware config and the exact command. Every string from
 * the user (model, layer, file names, the command) goes through `escapeHtml`; the embedded JSON escapes `<`, and the
 * inlined libraries `</script`, so nothing can close the script element early.
 */
import type { Chart } from './charts/types.js';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** JSON safe inside a <script> element: `<` (hence `</script`, `<!--`) and the JS line separators escaped. */
export function scriptJson(x: unknown): string {
  return JSON.stringify(x).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A library's source, safe to inline: `</script` cannot occur (`<\/script` means the same inside JS strings and regexes). */
export function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export interface HtmlTable {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
  /** Columns to right-align (numbers). */
  readonly numeric?: ReadonlySet<number>;
}

export interface HtmlReport {
  readonly title: string;
  /** One line under the title. */
  readonly subtitle?: string;
  /** The command that produced the data, as typed. */
  readonly command?: string;
  readonly summary: readonly (readonly [string, string])[];
  readonly charts: readonly Chart[];
  readonly tables: readonly HtmlTable[];
  /** The hardware config (or any config object), shown as JSON. */
  readonly config?: { readonly title: string; readonly value: unknown };
  /** Relative links to the data files next to index.html. */
  readonly files?: readonly string[];
}

const STYLE = `body{font-family:"DejaVu Sans",Verdana,sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#222}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
.sub{color:#555;margin-top:0}table{border-collapse:collapse;font-size:13px;margin:8px 0}
td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
pre{background:#f6f6f6;padding:8px;overflow:auto;font-size:12px;max-height:420px}.chart{margin:16px 0}
.chart svg{max-width:100%;height:auto}
.scroll{overflow:auto;max-height:520px}code{background:#f1f1f1;padding:1px 4px}`;

/** A cell: numbers with thousands separators (`1,026,165,120`), strings as given. */
const cellText = (c: string | number): string => (typeof c === 'number' ? c.toLocaleString('en-US', { maximumFractionDigits: 6 }) : c);

function tableHtml(t: HtmlTable): string {
  const num = t.numeric ?? new Set<number>();
  const head = `<tr>${t.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = t.rows.map((r) => `<tr>${r.map((c, i) => `<td${num.has(i) ? ' class="n"' : ''}>${escapeHtml(cellText(c))}</td>`).join('')}</tr>`).join('\n');
  return `<h2>${escapeHtml(t.title)}</h2>\n<div class="scroll"><table>\n${head}\n${body}\n</table></div>`;
}

export function renderHtml(r: HtmlReport, libraries: readonly string[]): string {
  const charts = r.charts.map((c, i) => `<div class="chart" id="chart-${i}" data-chart="${escapeHtml(c.name)}" aria-label="${escapeHtml(c.title)}"></div>`).join('\n');
  const specs = scriptJson(r.charts.map((c) => c.spec));
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(r.title)}</title>
<style>${STYLE}</style>
${libraries.map((js) => `<script>${inlineScript(js)}</script>`).join('\n')}
</head>
<body>
<h1>${escapeHtml(r.title)}</h1>
${r.subtitle ? `<p class="sub">${escapeHtml(r.subtitle)}</p>` : ''}
${r.command ? `<p>Command: <code id="command">${escapeHtml(r.command)}</code></p>` : ''}
<h2>Summary</h2>
<table id="summary">
${r.summary.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n')}
</table>
${r.charts.length ? `<h2>Charts</h2>\n<p class="sub">Hover for values; each chart's menu saves it as SVG or PNG. The same charts are in charts/ as .vl.json, .svg and .png.</p>\n${charts}` : ''}
${r.tables.map(tableHtml).join('\n')}
${r.config ? `<h2>${escapeHtml(r.config.title)}</h2>\n<pre id="config">${escapeHtml(JSON.stringify(r.config.value, null, 2))}</pre>` : ''}
${r.files?.length ? `<h2>Files</h2>\n<ul>${r.files.map((f) => `<li><a href="${escapeHtml(encodeURI(f))}">${escapeHtml(f)}</a></li>`).join('')}</ul>` : ''}
<script>
(function () {
  var specs = ${specs};
  window.__chartsDone = Promise.all(specs.map(function (spec, i) {
    return vegaEmbed('#chart-' + i, spec, { renderer: 'svg', actions: { export: true, source: false, compiled: false, editor: false } });
  })).then(function () { window.__chartsRendered = specs.length; });
})();
</script>
</body>
</html>
`;
}
