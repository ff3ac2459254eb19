import type { JudgeResponse } from "../judge/judgement.js";
import { isPairedSource } from "../shadow/paired-source.js";
import type { PairedWindow } from "../shadow/pairing-index.js";
import { type Source, SourceUnavailable } from "../sources/source.js";
import { parseWindow } from "./judgement-view.js";

/**
 * What the shadow judgement page draws: the judgement as answered plus the paired summary of the two
 * versions' answers to the same requests over its recorded window, re-read from its source like the
 * canary page's cohorts (judgement-view.ts): the audit log keeps the answer, not the summaries.
 */
export interface ShadowView {
  response: JudgeResponse;
  paired?: PairedWindow;
  /** where the plotted data comes from, or why there is none */
  dataNote?: string;
}

export async function loadShadowView(
  response: JudgeResponse,
  source: Source | undefined,
): Promise<ShadowView> {
  const j = response.judgement;
  if (!source) return { response, dataNote: `source "${j.source}" is not available to this page` };
  if (!isPairedSource(source)) return { response, dataNote: `source "${j.source}" cannot pair requests` };
  const window = parseWindow(j.window);
  if (!window) return { response, dataNote: "the judgement had no events in its window" };
  try {
    const paired = await source.paired({
      model: j.model,
      baseline: j.baseline,
      candidate: j.candidate,
      from: window[0],
      to: window[1],
    });
    if (!paired || paired.summary.pairs === 0) {
      return { response, dataNote: "no request answered by both versions in the judgement's window" };
    }
    return {
      response,
      paired,
      dataNote: `plots re-read from source "${j.source}" for the judgement's window; labels joined since the judgement are included`,
    };
  } catch (e) {
    if (!(e instanceof SourceUnavailable)) throw e;
    return { response, dataNote: `no plots: the source cannot answer (${e.message})` };
  }
}
