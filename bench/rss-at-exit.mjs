// Loaded with `node --import` by run.bench.js: at exit, report this process's peak resident
// memory (kilobytes, from getrusage) to the file named by SMAUG_BENCH_RSS_FILE.
import { writeFileSync } from "node:fs";

const file = process.env.SMAUG_BENCH_RSS_FILE;
if (file) process.on("exit", () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
