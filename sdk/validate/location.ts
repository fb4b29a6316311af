/** Validation of Azure region names. */
import { readRequiredString } from "./fields";
import { ProblemList } from "./problems";

// Region names as ARM spells them: lower case, no spaces ("westeurope", "usgovvirginia").
const REGION = /^[a-z][a-z0-9]{1,39}$/;

/** Reads an ARM region name; as ARM spells it. */
export function readLocation(problems: ProblemList, value: unknown, path: string): string | undefined {
    const hint = 'give the region as ARM spells it, e.g. "westeurope"';
    const text = readRequiredString(problems, value, path, hint);
    if (text === undefined) return undefined;
    if (!REGION.test(text)) {
        const squashed = text.toLowerCase().replace(/[\s_-]+/g, "");
        const suggestion = REGION.test(squashed) ? `use "${squashed}"` : hint;
        problems.error(path, `"${text}" is not a region name; ${suggestion}`);
        return undefined;
    }
    return text;
}
