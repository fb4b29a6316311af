/**
 * Facts read from the installed @pulumi/azure-native package's own type declarations: the
 * argument names of a resource or function, the fields a function returns. The package ships
 * no schema or provider metadata (that lives in the provider plugin), so its .d.ts files are
 * the one source the offline preview has.
 */
import * as fs from "node:fs";
import * as path from "node:path";

let root: string | null | undefined;

function packageRoot(): string | undefined {
    if (root === undefined) {
        try {
            root = path.dirname(require.resolve("@pulumi/azure-native/package.json"));
        } catch {
            root = null;
        }
    }
    return root ?? undefined;
}

const cache = new Map<string, string[] | undefined>();

/**
 * The property names `export interface <name>` declares in `<module>/<file>.d.ts` of
 * @pulumi/azure-native; undefined when the file or the interface is not there.
 */
export function argsOf(module: string, file: string, name: string): string[] | undefined {
    const key = `${module}/${file}#${name}`;
    if (cache.has(key)) return cache.get(key);
    const base = packageRoot();
    const full = base === undefined ? undefined : path.join(base, module, `${file}.d.ts`);
    let keys: string[] | undefined;
    if (full !== undefined && fs.existsSync(full)) {
        const match = new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`).exec(fs.readFileSync(full, "utf8"));
        if (match !== null) keys = [...match[1].matchAll(/^ {4}(?:readonly )?(\w+)\??:/gm)].map((m) => m[1]);
    }
    cache.set(key, keys);
    return keys;
}

/** The fields an azure-native function (`azure-native:<module>:<getX>`) returns; undefined for other tokens. */
export function resultFieldsOf(token: string): string[] | undefined {
    const [pkg, module, fn] = token.split(":");
    if (pkg !== "azure-native" || module === undefined || fn === undefined) return undefined;
    return argsOf(module, fn, `${fn.charAt(0).toUpperCase()}${fn.slice(1)}Result`);
}
