/**
 * The run-command scripts, kept as real files under `sdk/scripts/` (linted and executed by
 * the tests) and read once. The package ships that folder, so the compiled code finds it too.
 *
 * A run command carries exactly one script body to the machine, with nothing beside it to
 * source, so each body must stand alone. The Linux scripts are assembled here from small parts
 * so that no step is written twice: a line `# @include linux/<part>.sh` in an entry script is
 * replaced by that part's text (one level, no nesting). What the tests lint and run is this
 * assembled text, the very body a machine receives.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** The script files the component runs on machines. */
export type ScriptName = "linux-os-proxy.sh" | "linux-arc-agent-proxy.sh" | "windows-os-proxy.ps1" | "windows-arc-agent-proxy.ps1";

/** Assembled texts by script path. */
const cache = new Map<string, string>();

// From sdk/plan (sources) or dist/plan (compiled), the package root is two folders up.
const SCRIPT_DIR = path.resolve(__dirname, "..", "..", "sdk", "scripts");

const INCLUDE = /^# @include (linux\/[a-z0-9-]+\.sh)$/;

/**
 * `text` with every `# @include linux/<part>.sh` line replaced by that part, read from `dir`.
 * Throws naming the part when it is missing or includes another part.
 */
export function assembleScript(text: string, dir: string = SCRIPT_DIR): string {
    return text
        .split("\n")
        .map((line) => {
            const match = INCLUDE.exec(line);
            if (match === null) return line;
            const part = fs.readFileSync(path.join(dir, match[1]), "utf8").replace(/\n$/, "");
            if (part.split("\n").some((l) => INCLUDE.test(l)))
                throw new Error(`scripts: ${match[1]} includes another part; parts do not nest`);
            return part;
        })
        .join("\n");
}

/** The text of a script (from `dir`, sdk/scripts by default), assembled and read once per process however many machines use it. */
export function scriptText(name: ScriptName, dir: string = SCRIPT_DIR): string {
    const file = path.join(dir, name);
    let text = cache.get(file);
    if (text === undefined) {
        text = assembleScript(fs.readFileSync(file, "utf8"), dir);
        cache.set(file, text);
    }
    return text;
}
