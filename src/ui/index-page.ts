import type { JudgeResponse } from "../judge/judgement.js";
import { type Html, html } from "./html.js";
import { page, verdictBadge } from "./layout.js";

/** What the store knows about models and versions (EmbeddedStore has this shape). */
export interface Catalog {
  models(): Array<{ model: string; versions: number; events: number; lastTs: number | null }>;
  versions(model: string):
    | Array<{
        version: string;
        events: number;
        scored: number;
        labelled: number;
        errors: number;
        lastTs: number | null;
      }>
    | undefined;
}

const when = (ts: number | null) => (ts === null ? "–" : new Date(ts).toISOString().replace(".000Z", "Z"));
const modelHref = (model: string) => `/ui/models/${encodeURIComponent(model)}`;
const judgementHref = (id: string) => `/ui/judgements/${encodeURIComponent(id)}`;

export function judgementsTable(list: JudgeResponse[]): Html {
  if (list.length === 0) return html`<p class="note">No judgements yet.</p>`;
  const rows = list.map((r) => {
    const j = r.judgement;
    return html`<tr data-judgement="${j.id}"><td><a href="${judgementHref(j.id)}">${j.at}</a></td><td><a href="${modelHref(j.model)}">${j.model}</a></td><td>${j.baseline}</td><td>${j.candidate}</td><td data-mode="${j.mode ?? "canary"}">${j.mode ?? "canary"}</td><td class="num">${j.look}</td><td>${verdictBadge(r.summary.verdict)}</td><td>${r.summary.reason}</td></tr>`;
  });
  return html`<table class="judgements"><thead><tr><th>at</th><th>model</th><th>baseline</th><th>candidate</th><th>mode</th><th>look</th><th>verdict</th><th>reason</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Models as the catalog knows them, or as the judgement history names them (Prometheus source). */
function modelRows(catalog: Catalog | undefined, history: JudgeResponse[]): Html {
  if (catalog) {
    const models = catalog.models().sort((a, b) => a.model.localeCompare(b.model));
    if (models.length === 0) return html`<p class="note">No events ingested yet.</p>`;
    return html`<table class="models"><thead><tr><th>model</th><th>versions</th><th>events</th><th>last event</th><th>latest verdict</th></tr></thead><tbody>${models.map(
      (m) => {
        const latest = history.find((r) => r.judgement.model === m.model);
        return html`<tr data-model="${m.model}"><td><a href="${modelHref(m.model)}">${m.model}</a></td><td class="num">${m.versions}</td><td class="num">${m.events}</td><td>${when(m.lastTs)}</td><td>${latest ? verdictBadge(latest.summary.verdict) : "–"}</td></tr>`;
      },
    )}</tbody></table>`;
  }
  const names = [...new Set(history.map((r) => r.judgement.model))].sort();
  if (names.length === 0) return html`<p class="note">No models judged yet.</p>`;
  return html`<ul>${names.map((n) => html`<li data-model="${n}"><a href="${modelHref(n)}">${n}</a></li>`)}</ul>`;
}

export function indexPage(catalog: Catalog | undefined, latest: JudgeResponse[]): string {
  return page(
    "modelgate",
    html`<h1>Models</h1>${modelRows(catalog, latest)}<h2>Latest judgements</h2>${judgementsTable(latest.slice(0, 50))}`,
  );
}

export function modelPage(model: string, catalog: Catalog | undefined, judgements: JudgeResponse[]): string {
  const versions = catalog?.versions(model);
  const versionTable = versions
    ? html`<table class="versions"><thead><tr><th>version</th><th>events</th><th>scored</th><th>labelled</th><th>errors</th><th>last event</th></tr></thead><tbody>${versions.map(
        (v) =>
          html`<tr data-version="${v.version}"><td>${v.version}</td><td class="num">${v.events}</td><td class="num">${v.scored}</td><td class="num">${v.labelled}</td><td class="num">${v.errors}</td><td>${when(v.lastTs)}</td></tr>`,
      )}</tbody></table>`
    : html`<p class="note">The store holds no events for this model.</p>`;
  return page(
    `modelgate: ${model}`,
    html`<h1 data-model="${model}">${model}</h1><h2>Versions</h2>${versionTable}<h2>Judgements</h2>${judgementsTable(judgements)}`,
  );
}
