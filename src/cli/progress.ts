/** Progress for long work: a redrawn line on a terminal, a line every few seconds otherwise. */
export function progress(label: string): { update: (done: number, total: number, what: string) => void; end: () => void } {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let lastLine = 0;
  return {
    update(done, total, what) {
      const pct = total ? Math.floor((100 * done) / total) : 100;
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      const line = `${label} ${done}/${total} (${pct}%) ${secs}s ${what}`;
      if (tty) process.stderr.write(`\r\x1b[K${line}`);
      else if (Date.now() - lastLine > 3000 || done === total) {
        process.stderr.write(`${line}\n`);
        lastLine = Date.now();
      }
    },
    end() {
      if (tty) process.stderr.write('\n');
    },
  };
}
