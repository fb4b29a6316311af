/**
 * Differences between two values that a reviewer can read: objects walked field by field, lists
 * as the entries added and removed (a list of `{ name, value }` pairs, such as a run command's
 * parameters, by name), text as a unified diff of its lines or, on one line, as the entries of
 * its comma- or semicolon-separated list (a bypass list), instead of the same cut-off text on
 * both sides.
 */

/** One changed field. */
export interface FieldChange {
    /** Dotted path (`inputs.settings.proxy.address`, `inputs.parameters[BypassList].value`). */
    path: string;
    /** Value in the base (absent when added). */
    before?: unknown;
    /** Value in the head (absent when removed). */
    after?: unknown;
    /** For lists and listed text: entries only the head has. */
    added?: unknown[];
    /** For lists and listed text: entries only the base has. */
    removed?: unknown[];
    /** For multi-line text: a unified diff of the lines (`-`, `+` and context lines). */
    diff?: string[];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value);
}

const key = (value: unknown) => JSON.stringify(value);

/** Entries of `after` missing from `before`, and the other way round (multiset by JSON). */
function entryDiff(before: unknown[], after: unknown[]): { added: unknown[]; removed: unknown[] } {
    const count = new Map<string, number>();
    for (const v of before) count.set(key(v), (count.get(key(v)) ?? 0) + 1);
    const added: unknown[] = [];
    for (const v of after) {
        const n = count.get(key(v)) ?? 0;
        if (n > 0) count.set(key(v), n - 1);
        else added.push(v);
    }
    const left = new Map(count);
    const removed = before.filter((v) => {
        const n = left.get(key(v)) ?? 0;
        if (n === 0) return false;
        left.set(key(v), n - 1);
        return true;
    });
    return { added, removed };
}

/** Lists of objects that name themselves (`name`), each name once: compared by name. */
function namedEntries(list: unknown[]): Map<string, unknown> | undefined {
    const byName = new Map<string, unknown>();
    for (const entry of list) {
        if (!isPlainObject(entry) || typeof entry.name !== "string" || byName.has(entry.name)) return undefined;
        byName.set(entry.name, entry);
    }
    return byName;
}

/** The longest common subsequence table's walk: a unified diff with `context` lines around each change. */
export function unifiedDiff(before: string[], after: string[], context = 2): string[] {
    const n = before.length;
    const m = after.length;
    const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
    for (let i = n - 1; i >= 0; i--)
        for (let j = m - 1; j >= 0; j--)
            lcs[i][j] = before[i] === after[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    const ops: Array<{ sign: " " | "-" | "+"; line: string }> = [];
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && before[i] === after[j]) {
            ops.push({ sign: " ", line: before[i] });
            i++;
            j++;
        } else if (j < m && (i === n || lcs[i][j + 1] >= lcs[i + 1][j])) ops.push({ sign: "+", line: after[j++] });
        else ops.push({ sign: "-", line: before[i++] });
    }
    const near = ops.map((_, k) => ops.slice(Math.max(0, k - context), k + context + 1).some((o) => o.sign !== " "));
    const out: string[] = [];
    ops.forEach((o, k) => {
        if (near[k]) out.push(`${o.sign} ${o.line}`);
        else if (out.length > 0 && out[out.length - 1] !== "  …") out.push("  …");
    });
    if (out[out.length - 1] === "  …") out.pop();
    return out;
}

/** How a long text splits into entries: lines, or a comma/semicolon list on one line. */
function entriesOf(text: string): { entries: string[]; lines: boolean } | undefined {
    if (text.includes("\n")) return { entries: text.split("\n"), lines: true };
    for (const separator of [",", ";"]) {
        const parts = text.split(separator);
        if (parts.length >= 3) return { entries: parts.map((p) => p.trim()), lines: false };
    }
    return undefined;
}

/** Field-level differences of `before` and `after` under `path`, appended to `out`. */
export function diffValues(path: string, before: unknown, after: unknown, out: FieldChange[]): void {
    if (isPlainObject(before) && isPlainObject(after)) {
        for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
            const sub = `${path}.${k}`;
            if (!(k in after)) out.push({ path: sub, before: before[k] });
            else if (!(k in before)) out.push({ path: sub, after: after[k] });
            else diffValues(sub, before[k], after[k], out);
        }
        return;
    }
    if (key(before) === key(after)) return;
    if (Array.isArray(before) && Array.isArray(after)) {
        const [a, b] = [namedEntries(before), namedEntries(after)];
        if (a !== undefined && b !== undefined && [...a.keys()].join("\n") === [...b.keys()].join("\n")) {
            for (const [name, entry] of b) diffValues(`${path}[${name}]`, a.get(name), entry, out);
            return;
        }
        out.push({ path, before, after, ...entryDiff(before, after) });
        return;
    }
    if (typeof before === "string" && typeof after === "string") {
        const [a, b] = [entriesOf(before), entriesOf(after)];
        if (a !== undefined && b !== undefined && a.lines === b.lines) {
            if (a.lines) out.push({ path, before, after, diff: unifiedDiff(a.entries, b.entries) });
            else out.push({ path, before, after, ...entryDiff(a.entries, b.entries) });
            return;
        }
    }
    out.push({ path, before, after });
}
