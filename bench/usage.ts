/**
 * Preloaded (`node -r usage.js`) into a process the benchmark measures: at exit it writes that
 * process's own CPU time and peak memory to $BENCH_USAGE_FILE, which `spawnSync` cannot report.
 */
import * as fs from "node:fs";

const file = process.env.BENCH_USAGE_FILE;
if (file !== undefined) {
    process.on("exit", () => {
        const cpu = process.cpuUsage();
        const usage = { cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) };
        fs.writeFileSync(file, JSON.stringify(usage));
    });
}
