/**
 * Progress of a long upload: a bar redrawn in place on a terminal, or a plain line at every
 * 10% otherwise (CI logs), so neither floods a log nor stays silent for minutes.
 */
export interface Progress {
  update(done: number): void;
  finish(): void;
}

const WIDTH = 30;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export function progressBar(
  total: number,
  write: (s: string) => void,
  tty: boolean,
  label = "sent",
): Progress {
  let shown = -1;
  const pct = (done: number) => (total > 0 ? Math.min(100, Math.floor((100 * done) / total)) : 100);
  return {
    update(done: number) {
      const p = pct(done);
      if (tty) {
        if (p === shown) return;
        shown = p;
        const filled = Math.round((p / 100) * WIDTH);
        write(
          `\r[${"#".repeat(filled)}${" ".repeat(WIDTH - filled)}] ${String(p).padStart(3)}% ${formatBytes(done)} / ${formatBytes(total)}`,
        );
      } else {
        const step = Math.floor(p / 10) * 10;
        if (step <= shown) return;
        shown = step;
        write(`${label} ${step}% (${formatBytes(done)} of ${formatBytes(total)})\n`);
      }
    },
    finish() {
      if (tty && shown >= 0) write("\n");
    },
  };
}
