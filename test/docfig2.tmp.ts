import { GATES } from "../src/gates/registry.js";
import { JudgementHistory } from "../src/judge/history.js";
import { runJudgement } from "../src/judge/judge.js";
import { parseJudgeRequest } from "../src/judge/request.js";
import { offlinePairedSource } from "../src/shadow/offline-source.js";
import { pairedTraffic } from "./shadow/traffic.js";
const now = Date.parse("2026-11-26T00:00:00Z");
async function judge(events: any[]) {
  const req = parseJudgeRequest({ model: "fraud", baseline: "stable", candidate: "challenger", mode: "shadow", until: "2026-11-26T00:00:00Z" }, { registry: GATES, now });
  return runJudgement(req, { registry: GATES, sources: { embedded: offlinePairedSource(events) }, defaultSource: "embedded", history: new JudgementHistory(), clock: () => now });
}
for (const n of [300, 600, 900, 1200, 1500, 2000, 3000]) {
  const same = pairedTraffic({ n, seed: 1, labels: true });
  const r = await judge([...same.baseline, ...same.candidate]);
  const notPass = Object.entries(r.gates).filter(([, g]) => g.verdict !== "pass").map(([k, g]) => `${k}:${g.verdict}`);
  const flipped = pairedTraffic({ n, seed: 2, labels: true, flipRegion: "south", flipRate: 0.05 });
  const f = await judge([...flipped.baseline, ...flipped.candidate]);
  console.log(n, "identical:", r.summary.verdict, notPass.join(","), "| flip south 5%: fairness", f.gates.fairness.verdict, "agreement", f.gates.agreement.verdict, (f.gates.fairness.reason).slice(0, 60));
}
