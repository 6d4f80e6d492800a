// Runs the action's entry (BENCH_ENTRY, a file path) and, on exit, writes this node process's
// peak resident set size in KiB (process.resourceUsage().maxRSS) to BENCH_RSS_FILE.
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

process.on('exit', () => {
  if (process.env.BENCH_RSS_FILE) {
    writeFileSync(process.env.BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
  }
});
await import(pathToFileURL(process.env.BENCH_ENTRY).href);
