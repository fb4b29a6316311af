/**
 * `npm run bench`: the program's cost per machine under the mock engine, measured in one run.
 *
 * For N = 10, 100 and 1,000 machines it times, each in a fresh Node process running compiled
 * JavaScript (as `pulumi preview` runs a built program):
 * - `component`: the component in per-machine mode;
 * - `policy`: the component in policy mode;
 * - `baseline`: a program that registers the very resources the component registered in
 *   per-machine mode (same types, inputs, secrets and waits), directly with azure-native.
 * Each measurement is repeated (BENCH_REPEAT, default 3), the kinds interleaved, and the median
 * is reported. It writes bench/results/latest.json and latest.md with wall time, peak memory,
 * resources registered and the component / baseline ratios, and the machine they came from.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const BUILD = path.join(ROOT, ".bench");
const RESULTS = path.join(ROOT, "bench", "results");
const SIZES = (process.env.BENCH_SIZES ?? "10,100,1000").split(",").map(Number);
// Wall time on a shared machine drifts by 10-20 % between runs: each figure is the median of a few.
const REPEAT = Number(process.env.BENCH_REPEAT ?? "3");

interface Measurement {
    kind: string;
    machines: number;
    seconds: number;
    peakRssMiB: number;
    resources: number;
}

function build(): string {
    execFileSync(
        process.execPath,
        [path.join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", path.join(ROOT, "tsconfig.bench.json")],
        { stdio: "inherit" },
    );
    // The compiled plan reads its scripts two folders up from plan/, as the published package does.
    fs.cpSync(path.join(ROOT, "sdk", "scripts"), path.join(BUILD, "sdk", "scripts"), { recursive: true });
    return path.join(BUILD, "bench", "scenario.js");
}

function measure(scenario: string, kind: string, machines: number, recording: string): Measurement {
    const output = execFileSync(process.execPath, ["--max-old-space-size=16384", scenario, kind, String(machines), recording], {
        cwd: ROOT,
        encoding: "utf8",
        maxBuffer: 1 << 20,
    });
    return kind === "record" ? ({} as Measurement) : (JSON.parse(output.trim().split("\n").pop()!) as Measurement);
}

/** The median sample by wall time (its memory and resource count come with it). */
function median(runs: Measurement[]): Measurement {
    const sorted = [...runs].sort((a, b) => a.seconds - b.seconds);
    return sorted[Math.floor(sorted.length / 2)];
}

function table(rows: Measurement[]): string {
    const byKey = new Map(rows.map((r) => [`${r.kind}-${r.machines}`, r]));
    const lines = [
        "| machines | run | resources | wall time (s) | peak RSS (MiB) | time / baseline | memory / baseline |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ];
    for (const n of SIZES) {
        const base = byKey.get(`baseline-${n}`)!;
        for (const kind of ["baseline", "component", "policy"]) {
            const r = byKey.get(`${kind}-${n}`)!;
            lines.push(
                `| ${n} | ${kind} | ${r.resources} | ${r.seconds.toFixed(2)} | ${r.peakRssMiB} | ${(r.seconds / base.seconds).toFixed(2)} | ${(r.peakRssMiB / base.peakRssMiB).toFixed(2)} |`,
            );
        }
    }
    return lines.join("\n");
}

function main(): void {
    const scenario = build();
    const machine = {
        cpu: os.cpus()[0]?.model ?? "unknown",
        cores: os.cpus().length,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        date: new Date().toISOString(),
    };
    const rows: Measurement[] = [];
    const samples: Measurement[] = [];
    for (const n of SIZES) {
        const recording = path.join(BUILD, `recording-${n}.json`);
        measure(scenario, "record", n, recording);
        const runs: Record<string, Measurement[]> = { baseline: [], component: [], policy: [] };
        // Interleaved, so that a slow stretch of the machine falls on every kind alike.
        for (let round = 0; round < REPEAT; round++) {
            for (const kind of Object.keys(runs)) {
                const sample = measure(scenario, kind, n, recording);
                runs[kind].push(sample);
                samples.push(sample);
                process.stdout.write(`${JSON.stringify(sample)}\n`);
            }
        }
        for (const kind of Object.keys(runs)) rows.push(median(runs[kind]));
    }
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(path.join(RESULTS, "latest.json"), `${JSON.stringify({ machine, repeat: REPEAT, rows, samples }, null, 2)}\n`);
    const markdown = [
        "# Benchmark: the program's cost per machine (mock engine)",
        "",
        `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}; ${machine.date}.`,
        `Each row is the median of ${REPEAT} fresh processes running compiled JavaScript, the kinds interleaved; \`npm run bench\` regenerates this file (every sample is in latest.json).`,
        "",
        table(rows),
        "",
    ].join("\n");
    fs.writeFileSync(path.join(RESULTS, "latest.md"), markdown);
    process.stdout.write(`\n${markdown}`);
}

main();
