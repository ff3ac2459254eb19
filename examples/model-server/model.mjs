// @ts-check
/**
 * The example's model, shared by the server (which scores) and the traffic generator (which draws
 * cases whose fraud label the features predict): logistic regression on log(amount) and the
 * channel. On the generator's cases its AUC is about 0.8.
 */
export const CHANNELS = new Map([
  ["web", 0],
  ["app", -0.4],
  ["pos", -0.9],
  ["phone", 0.8],
]);

export const REGIONS = ["eu", "us", "apac"];

/** @param {{ amount: number, channel: string }} instance */
export function score(instance) {
  const z = -6.2 + 0.95 * Math.log1p(instance.amount) + (CHANNELS.get(instance.channel) ?? 0);
  return 1 / (1 + Math.exp(-z));
}
