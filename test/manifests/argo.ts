import type { K8sObject } from "./kustomize.js";

export interface TemplateArg {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string };
    podTemplateHashValue?: "Stable" | "Latest";
    fieldRef?: { fieldPath: string };
  };
}

/** The `{{args.x}}` placeholders Argo resolves when it creates an AnalysisRun (spaces allowed). */
const PLACEHOLDER = /\{\{\s*args\.([A-Za-z0-9_.-]+)\s*\}\}/g;

export function placeholders(value: unknown): Set<string> {
  const names = new Set<string>();
  for (const m of JSON.stringify(value).matchAll(PLACEHOLDER)) names.add(m[1]!);
  return names;
}

/** Substitute args into a metric the way the controller does before the provider runs. */
export function resolveArgs<T>(value: T, args: Record<string, string>): T {
  const text = JSON.stringify(value).replace(PLACEHOLDER, (_, name: string) => {
    const v = args[name];
    if (v === undefined) throw new Error(`args.${name} was not resolved`);
    // JSON-escape the substituted text: it lands inside a JSON string here.
    return JSON.stringify(v).slice(1, -1);
  });
  return JSON.parse(text) as T;
}

/** Template defaults (`value`), as Argo uses them when the Rollout passes nothing for an arg. */
export function defaults(template: K8sObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of template.spec.args as TemplateArg[]) if (a.value !== undefined) out[a.name] = a.value;
  return out;
}

/** Args a caller must supply: neither a default nor a Secret behind them. */
export function requiredArgs(template: K8sObject): string[] {
  return (template.spec.args as TemplateArg[])
    .filter((a) => a.value === undefined && !a.valueFrom)
    .map((a) => a.name);
}

export interface AnalysisRef {
  where: string;
  templates: { templateName: string; clusterScope?: boolean }[];
  args: TemplateArg[];
}

/** Every place a Rollout or Experiment starts an AnalysisRun, with the args it passes. */
export function analysisRefs(obj: K8sObject): AnalysisRef[] {
  const refs: AnalysisRef[] = [];
  const name = `${obj.kind}/${obj.metadata.name}`;
  if (obj.kind === "Rollout") {
    const canary = obj.spec.strategy?.canary;
    const blueGreen = obj.spec.strategy?.blueGreen;
    if (canary?.analysis)
      refs.push({ where: `${name} background`, ...canary.analysis, args: canary.analysis.args ?? [] });
    (canary?.steps ?? []).forEach(
      (step: Record<string, { templates: never[]; args?: TemplateArg[] }>, i: number) => {
        if (step.analysis)
          refs.push({
            where: `${name} step ${i}`,
            templates: step.analysis.templates,
            args: step.analysis.args ?? [],
          });
      },
    );
    for (const phase of ["prePromotionAnalysis", "postPromotionAnalysis"]) {
      const a = blueGreen?.[phase];
      if (a) refs.push({ where: `${name} ${phase}`, templates: a.templates, args: a.args ?? [] });
    }
  }
  if (obj.kind === "Experiment") {
    for (const a of obj.spec.analyses ?? []) {
      refs.push({
        where: `${name} analysis ${a.name}`,
        templates: [{ templateName: a.templateName, clusterScope: a.clusterScope }],
        args: a.args ?? [],
      });
    }
  }
  return refs;
}
