import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cli } from "../cli/cli-io.js";
import { makeRows, tempDir, toCsv, writeFile } from "../cli/predictions-fixture.js";
import { artifactPath, launchBrowser } from "../helpers/browser.js";

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("modelgate judge --report in headless Chromium", () => {
  it("opens as a file without JavaScript and shows the verdict, gates and plots", async () => {
    const champion = writeFile(dir, "champion.csv", toCsv(makeRows({ n: 2000, seed: 31 })));
    const challengerRows = makeRows({ n: 2000, seed: 32, errorRate: 0.08, groupBShift: -2 });
    const challenger = writeFile(dir, "challenger.csv", toCsv(challengerRows));
    const report = join(dir, "report.html");
    const r = await cli([
      "judge",
      "--champion",
      champion,
      "--challenger",
      challenger,
      "--report",
      report,
      "--json",
    ]);
    expect(r.code).toBe(1);
    const judged = JSON.parse(r.stdout);

    await using chromium = await launchBrowser({ javaScript: false });
    const page = await chromium.browser.newPage();
    await page.goto(`file://${report}`);
    await page.screenshot({ path: artifactPath("report.png"), fullPage: true });
    expect(await page.locator("h1 [data-verdict]").textContent()).toBe("fail");
    expect(await page.locator("[data-reason]").textContent()).toContain(judged.summary.reason);
    expect(await page.locator("tr[data-gate]").count()).toBe(Object.keys(judged.gates).length);
    expect(await page.locator("svg[data-plot]").count()).toBe(6);
    // offline files without timestamps: errors are plotted by row number, all of them counted
    const errors = page.locator('svg[data-plot="errors"] g[data-series="candidate"]');
    const total = (await errors.getAttribute("data-errors"))!.split(",").reduce((s, x) => s + Number(x), 0);
    expect(total).toBe(challengerRows.filter((x) => x.error).length);
    expect(await page.locator('svg[data-plot="errors"] text').allTextContents()).toContain(
      "row of the predictions file",
    );
    // the standalone file has no navigation back to a server
    expect(await page.locator('a[href="/ui"]').count()).toBe(0);
  });
});
