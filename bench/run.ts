/**
 * `npm run bench`: the program's cost per machine under the mock engine, and the offline
 * preview's own cost, measured in one run.
 *
 * Program rows: for BENCH_SIZES (default 10, 100, 1,000 machines) it times, each in a fresh
 * Node process running compiled JavaScript (as `pulumi preview` runs a built program):
 * - `component`: the component in per-machine mode;
 * - `policy`: the component in policy mode;
 * - `baseline`: a program that registers the very resources the component registered in
 *   per-machine mode (same types, inputs, secrets and waits), directly with azure-native.
 * Each is repeated BENCH_REPEAT times (default 5), the kinds interleaved, and the median by
 * CPU time is reported. CPU time (user + system of the measured process) is the measure: on a
 * shared machine wall time drifts more than the effects measured here. Every program runs
 * inside the stack's root resource, as under `pulumi preview`, and with V8's `--single-threaded`:
 * the CPU time of the garbage collector's helper threads depends on how the machine schedules
 * them, and on a loaded machine it made rounds of one program differ by 40 %; on one thread
 * the same work costs the same time to within a few per cent, and every kind is measured
 * alike. Beside the times,
 * one more process per kind counts the promises its run creates: the Pulumi runtime's work is
 * mostly promises, and the count is the same in every run of the same program.
 *
 * Preview rows: for BENCH_PREVIEW_SIZES (default 100, 1,000) the compiled CLI
 * (`defender-servers-preview`) previews a project whose program is the component with that
 * fleet, as text, Markdown and JSON: wall time, CPU time, peak memory, output size, and the
 * CPU time of the mock-engine run against the preview's own (loading, report, rendering).
 *
 * Pure-layer rows: for BENCH_PURE_SIZES (default 1,000 and 10,000 machines) bench/pureLayers.ts,
 * in a fresh process per size, times the layers with no engine (validation, planning, verify's
 * join and judgement of Resource Graph rows) and the table gives each layer's CPU ratio between
 * the largest and the smallest size: about that size ratio for work that grows with the fleet,
 * its square for work that compares every machine with every other.
 *
 * It writes bench/results/latest.json (every sample) and latest.md (BENCH_RESULTS_NAME renames them).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describeArithmetic, EVALUATION_MINUTES, MINUTES_PER_DEPLOYMENT, remediationArithmetic } from "../sdk/plan/remediationGate";

const ROOT = path.resolve(__dirname, "..");
const BUILD = path.join(ROOT, ".bench");
const RESULTS = path.join(ROOT, "bench", "results");
const list = (text: string) =>
    text
        .split(",")
        .filter((s) => s !== "")
        .map(Number);
const SIZES = list(process.env.BENCH_SIZES ?? "10,100,1000");
const PREVIEW_SIZES = list(process.env.BENCH_PREVIEW_SIZES ?? "100,1000");
const REPEAT = Number(process.env.BENCH_REPEAT ?? "5");
// Result files are bench/results/<name>.json and .md, so that separate runs keep their own.
const RESULTS_NAME = process.env.BENCH_RESULTS_NAME ?? "latest";
const KINDS = (process.env.BENCH_KINDS ?? "baseline,component,policy").split(",");
const FORMATS = ["text", "markdown", "json"] as const;
// Policy mode's remediation arithmetic: computed, not timed (Azure's remediation cannot run here).
const ARITHMETIC_SIZES = list(process.env.BENCH_ARITHMETIC_SIZES ?? "1000,10000");
const PREVIEW_FORMATS = (process.env.BENCH_PREVIEW_FORMATS ?? FORMATS.join(",")).split(",") as Array<(typeof FORMATS)[number]>;
const PURE_SIZES = list(process.env.BENCH_PURE_SIZES ?? "1000,10000");

interface Measurement {
    kind: string;
    machines: number;
    seconds: number;
    cpuSeconds: number;
    peakRssMiB: number;
    resources: number;
    /** Promises the run created, from a separate counting pass (the same in every run of one program). */
    promises?: number;
}

interface PreviewMeasurement {
    machines: number;
    format: (typeof FORMATS)[number];
    seconds: number;
    cpuSeconds: number;
    peakRssMiB: number;
    outputBytes: number;
    outputLines: number;
    /** CPU seconds by phase as the CLI reports them (load, run, report, render, write). */
    phases: Record<string, number>;
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

function measure(scenario: string, kind: string, machines: number, recording: string, countPromises = false): Measurement {
    const output = execFileSync(
        process.execPath,
        ["--max-old-space-size=16384", "--single-threaded", scenario, kind, String(machines), recording],
        {
            cwd: ROOT,
            env: { ...process.env, BENCH_COUNT_PROMISES: countPromises ? "1" : "0" },
            encoding: "utf8",
            maxBuffer: 1 << 20,
        },
    );
    return kind === "record" ? ({} as Measurement) : (JSON.parse(output.trim().split("\n").pop()!) as Measurement);
}

/** A Pulumi project for the CLI: the component with `machines` machines, compiled JavaScript. */
function previewProject(machines: number): string {
    const dir = path.join(BUILD, `preview-${machines}`);
    fs.mkdirSync(dir, { recursive: true });
    const main = path.relative(dir, path.join(BUILD, "bench", "previewProgram.js"));
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), `name: bench\nruntime: nodejs\nmain: ${main}\n`);
    fs.writeFileSync(path.join(dir, "Pulumi.bench.yaml"), `config:\n  bench:machines: "${machines}"\n`);
    return dir;
}

function measurePreview(machines: number, format: PreviewMeasurement["format"]): PreviewMeasurement {
    const dir = previewProject(machines);
    const usageFile = path.join(BUILD, `usage-${machines}-${format}.json`);
    const outFile = path.join(BUILD, `preview-${machines}.${format === "markdown" ? "md" : format === "json" ? "json" : "txt"}`);
    fs.rmSync(usageFile, { force: true });
    const args = ["--max-old-space-size=16384", "-r", path.join(BUILD, "bench", "usage.js"), path.join(BUILD, "sdk", "preview", "cli.js")];
    args.push(dir, "--stack", "bench", ...(format === "text" ? [] : [`--${format}`]));
    const out = fs.openSync(outFile, "w");
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, {
        cwd: ROOT,
        stdio: ["ignore", out, "pipe"],
        encoding: "utf8",
        env: { ...process.env, BENCH_USAGE_FILE: usageFile, DEFENDER_PREVIEW_TIMINGS: "1" },
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    fs.closeSync(out);
    if (result.status !== 0) throw new Error(`preview of ${machines} machines (${format}) exited ${result.status}: ${result.stderr}`);
    const usage = JSON.parse(fs.readFileSync(usageFile, "utf8")) as { cpuSeconds: number; peakRssMiB: number };
    const phaseLine = result.stderr.split("\n").find((l) => l.startsWith('{"cpuSecondsByPhase"'));
    const output = fs.readFileSync(outFile, "utf8");
    return {
        machines,
        format,
        seconds,
        ...usage,
        outputBytes: Buffer.byteLength(output),
        outputLines: output.split("\n").length - 1,
        phases: phaseLine === undefined ? {} : JSON.parse(phaseLine).cpuSecondsByPhase,
    };
}

/** The pure layers for one fleet size: CPU seconds by layer (bench/pureLayers.ts). */
interface PureMeasurement {
    machines: number;
    layers: Record<string, number>;
}

function measurePure(machines: number): PureMeasurement {
    const script = path.join(BUILD, "bench", "pureLayers.js");
    const output = execFileSync(
        process.execPath,
        ["--max-old-space-size=16384", "--single-threaded", "--expose-gc", script, String(machines)],
        { cwd: ROOT, encoding: "utf8", maxBuffer: 1 << 20 },
    );
    return JSON.parse(output.trim().split("\n").pop()!) as PureMeasurement;
}

/** One row per layer: its CPU time at each size, and the ratio of the largest size's to the smallest's. */
function pureTable(rows: PureMeasurement[]): string {
    const [first, last] = [rows[0], rows[rows.length - 1]];
    const sizes = rows.map((r) => r.machines.toLocaleString("en-US"));
    const lines = [
        `| layer | ${sizes.map((n) => `CPU at ${n} (s)`).join(" | ")} | CPU ${sizes[sizes.length - 1]} / ${sizes[0]} |`,
        `|---|${rows.map(() => "---:|").join("")}---:|`,
    ];
    for (const layer of Object.keys(first.layers)) {
        const cells = rows.map((r) => r.layers[layer].toFixed(4));
        lines.push(`| ${layer} | ${cells.join(" | ")} | ${(last.layers[layer] / first.layers[layer]).toFixed(1)} |`);
    }
    return lines.join("\n");
}

/** The median sample by CPU time (its other figures come with it). */
function median<T extends { cpuSeconds: number }>(runs: T[]): T {
    const sorted = [...runs].sort((a, b) => a.cpuSeconds - b.cpuSeconds);
    return sorted[Math.floor(sorted.length / 2)];
}

function programTable(rows: Measurement[], samples: Measurement[]): string {
    const byKey = new Map(rows.map((r) => [`${r.kind}-${r.machines}`, r]));
    const lines = [
        "| machines | run | resources | CPU time (s) | wall time (s) | peak RSS (MiB) | CPU / baseline | CPU / baseline by round | memory / baseline | promises | promises / baseline |",
        "|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ];
    for (const n of SIZES) {
        const base = byKey.get(`baseline-${n}`);
        const baseRounds = samples.filter((s) => s.kind === "baseline" && s.machines === n);
        for (const kind of KINDS) {
            const r = byKey.get(`${kind}-${n}`);
            if (r === undefined) continue;
            const rounds = samples.filter((s) => s.kind === kind && s.machines === n);
            const byRound =
                base === undefined
                    ? ""
                    : rounds
                          .filter((_, i) => baseRounds[i] !== undefined)
                          .map((s, i) => (s.cpuSeconds / baseRounds[i].cpuSeconds).toFixed(2))
                          .join(", ");
            const ratio = (a: number, b: number | undefined) => (b === undefined ? "" : (a / b).toFixed(2));
            const promises = r.promises === undefined ? "" : r.promises.toLocaleString("en-US");
            const promiseRatio = r.promises === undefined || base?.promises === undefined ? "" : (r.promises / base.promises).toFixed(3);
            lines.push(
                `| ${n} | ${kind} | ${r.resources} | ${r.cpuSeconds.toFixed(2)} | ${r.seconds.toFixed(2)} | ${r.peakRssMiB} | ${ratio(r.cpuSeconds, base?.cpuSeconds)} | ${byRound} | ${ratio(r.peakRssMiB, base?.peakRssMiB)} | ${promises} | ${promiseRatio} |`,
            );
        }
    }
    return lines.join("\n");
}

function previewTable(rows: PreviewMeasurement[]): string {
    const lines = [
        "| machines | output | CPU time (s) | wall time (s) | peak RSS (MiB) | output (KiB) | lines | CPU: mock-engine run | CPU: the preview's own (load + report + render + write) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ];
    for (const r of rows) {
        const own = (r.phases.load ?? 0) + (r.phases.report ?? 0) + (r.phases.render ?? 0) + (r.phases.write ?? 0);
        lines.push(
            `| ${r.machines} | ${r.format} | ${r.cpuSeconds.toFixed(2)} | ${r.seconds.toFixed(2)} | ${r.peakRssMiB} | ${(r.outputBytes / 1024).toFixed(0)} | ${r.outputLines} | ${(r.phases.run ?? 0).toFixed(2)} | ${own.toFixed(2)} |`,
        );
    }
    return lines.join("\n");
}

/**
 * Policy mode's remediation arithmetic for each fleet size, as the preview prints it: one row per
 * size, with the four OS-proxy tasks (one per kind and OS) at 30 parallel deployments, the
 * default wait and the runs of `pulumi up` it takes (plan/remediationGate.ts).
 */
function arithmeticTable(): string {
    const lines = [
        `| machines | OS-proxy tasks | parallel deployments | waves | expected duration (min) | the gate's wait per pulumi up (min) | runs of pulumi up |`,
        "|---:|---:|---:|---:|---:|---:|---:|",
    ];
    const notes: string[] = [];
    for (const n of ARITHMETIC_SIZES) {
        const a = remediationArithmetic(n, 30, 4);
        lines.push(`| ${n} | ${a.tasks} | ${a.parallelDeployments} | ${a.waves} | ${a.expectedMinutes} | ${a.waitMinutes} | ${a.runs} |`);
        notes.push(`- ${describeArithmetic(a)}.`);
    }
    return [
        ...lines,
        "",
        `Assumptions (plan/remediationGate.ts): ${EVALUATION_MINUTES} min for the first compliance evaluation, ${MINUTES_PER_DEPLOYMENT} min per run-command deployment (no Microsoft source states one; the script's own bound is 10 min), every machine in one task (the worst case). The preview prints the same sentence:`,
        "",
        ...notes,
    ].join("\n");
}

/** Writes the results so far (after every sample, so that an interrupted run keeps what it measured). */
function write(
    machine: Record<string, unknown> & { loadAverage: number[] },
    rows: Measurement[],
    samples: Measurement[],
    previews: PreviewMeasurement[],
    pure: PureMeasurement[] = [],
): string {
    fs.mkdirSync(RESULTS, { recursive: true });
    fs.writeFileSync(
        path.join(RESULTS, `${RESULTS_NAME}.json`),
        `${JSON.stringify({ machine, repeat: REPEAT, rows, samples, previews, pure }, null, 2)}\n`,
    );
    const markdown = [
        "# Benchmark: the program's cost per machine, and the offline preview's (mock engine)",
        "",
        `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}; load average ${machine.loadAverage.join(", ")} at the start; ${machine.date}.`,
        `Command: \`BENCH_SIZES=${SIZES.join(",")} BENCH_KINDS=${KINDS.join(",")} BENCH_PREVIEW_FORMATS=${PREVIEW_FORMATS.join(",")} BENCH_PREVIEW_SIZES=${PREVIEW_SIZES.join(",")} BENCH_ARITHMETIC_SIZES=${ARITHMETIC_SIZES.join(",")} BENCH_PURE_SIZES=${PURE_SIZES.join(",")} BENCH_REPEAT=${REPEAT} BENCH_RESULTS_NAME=${RESULTS_NAME} npm run bench\` (every sample is in ${RESULTS_NAME}.json).`,
        "",
        ...(rows.length > 0
            ? [
                  "## The program",
                  "",
                  `Each row is the median by CPU time of ${REPEAT} fresh processes running compiled JavaScript (\`node --single-threaded\`, inside the stack's root resource as under \`pulumi preview\`), the kinds interleaved; ratios by round compare the samples of one round. Promises are counted (async_hooks) in one more process per kind, apart from the timed ones: a count that, unlike time, does not drift between runs.`,
                  "",
                  programTable(rows, samples),
                  "",
              ]
            : []),
        ...(ARITHMETIC_SIZES.length > 0 ? ["## Policy mode's remediation arithmetic", "", arithmeticTable(), ""] : []),
        ...(pure.length > 0
            ? [
                  "## The pure layers at fleet scale (no engine)",
                  "",
                  `CPU time of each layer for the fleet of bench/scenario.ts (per-machine and policy mode; verify over Resource Graph rows of as many VMs, every other one with a Defender pricing of its own), compiled JavaScript, one fresh process per size (\`node --single-threaded --expose-gc\`), the median of 5 runs each on a collected heap. The last column is the ratio of the largest size to the smallest: about ${(PURE_SIZES[PURE_SIZES.length - 1] / PURE_SIZES[0]).toFixed(0)} where the work grows with the fleet, about ${((PURE_SIZES[PURE_SIZES.length - 1] / PURE_SIZES[0]) ** 2).toFixed(0)} where it compares every machine with every other.`,
                  "",
                  pureTable(pure),
                  "",
              ]
            : []),
        ...(previews.length > 0
            ? [
                  "## The offline preview (`defender-servers-preview`, compiled, one run each)",
                  "",
                  "CPU time and peak memory are the CLI process's own; the last two columns split its CPU time into the mock-engine run of the program and the preview's own work.",
                  "",
                  previewTable(previews),
                  "",
              ]
            : []),
    ].join("\n");
    fs.writeFileSync(path.join(RESULTS, `${RESULTS_NAME}.md`), markdown);
    return markdown;
}

function main(): void {
    const scenario = build();
    const machine = {
        cpu: os.cpus()[0]?.model ?? "unknown",
        cores: os.cpus().length,
        memoryGiB: Math.round(os.totalmem() / 2 ** 30),
        node: process.version,
        platform: `${os.platform()} ${os.release()}`,
        loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
        date: new Date().toISOString(),
    };
    const rows: Measurement[] = [];
    const samples: Measurement[] = [];
    // Seconds, so first: the program rows can take an hour.
    const pure: PureMeasurement[] = [];
    for (const n of PURE_SIZES) {
        pure.push(measurePure(n));
        process.stdout.write(`${JSON.stringify(pure[pure.length - 1])}\n`);
        write(machine, rows, samples, [], pure);
    }
    for (const n of SIZES) {
        const recording = path.join(BUILD, `recording-${n}.json`);
        measure(scenario, "record", n, recording);
        const runs: Record<string, Measurement[]> = Object.fromEntries(KINDS.map((k) => [k, []]));
        // Interleaved, so that a busy stretch of the machine falls on every kind alike.
        for (let round = 0; round < REPEAT; round++) {
            for (const kind of KINDS) {
                const sample = measure(scenario, kind, n, recording);
                runs[kind].push(sample);
                samples.push(sample);
                process.stdout.write(`${JSON.stringify(sample)}\n`);
            }
        }
        for (const kind of KINDS) {
            // The timed samples run without the counting hook; one more process per kind counts.
            const counted = measure(scenario, kind, n, recording, true);
            process.stdout.write(`${JSON.stringify(counted)}\n`);
            rows.push({ ...median(runs[kind]), promises: counted.promises });
        }
        write(machine, rows, samples, [], pure);
    }
    const previews: PreviewMeasurement[] = [];
    for (const n of PREVIEW_SIZES) {
        for (const format of PREVIEW_FORMATS) {
            const sample = measurePreview(n, format);
            previews.push(sample);
            process.stdout.write(`${JSON.stringify(sample)}\n`);
            write(machine, rows, samples, previews, pure);
        }
    }
    process.stdout.write(`\n${write(machine, rows, samples, previews, pure)}`);
}

main();
