/**
 * The run-command scripts, kept as real files under `sdk/scripts/` (linted and executed by
 * the tests) and read once. The package ships that folder, so the compiled code finds it too.
 * Each script is self-contained, which is why they repeat their PROXY_URL check: a run command
 * carries exactly one script body to the machine, with nothing beside it to source.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The script files the component runs on machines. */
export type ScriptName =
    | "linux-os-proxy.sh"
    | "linux-arc-agent-proxy.sh"
    | "windows-os-proxy.ps1"
    | "windows-arc-agent-proxy.ps1";

const cache = new Map<ScriptName, string>();

// From sdk/plan (sources) or dist/plan (compiled), the package root is two folders up.
const SCRIPT_DIR = path.resolve(__dirname, "..", "..", "sdk", "scripts");

/** The text of a script, read once per process however many machines use it. */
export function scriptText(name: ScriptName): string {
    let text = cache.get(name);
    if (text === undefined) {
        text = fs.readFileSync(path.join(SCRIPT_DIR, name), "utf8");
        cache.set(name, text);
    }
    return text;
}
