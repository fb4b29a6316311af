/** Validation of Azure region names against the cloud's published list (`CLOUD_REGIONS` in `../clouds`). */
import { CLOUD_REGIONS, CLOUD_REGIONS_AS_OF, CloudName, cloudOfRegion } from "../clouds";
import { readRequiredString } from "./fields";
import { ProblemList } from "./problems";

/** At most this many edits away, a known region is offered as "did you mean". */
const SUGGESTION_DISTANCE = 2;

/** Levenshtein distance: how many single-letter edits turn `a` into `b`. */
function editDistance(a: string, b: string): number {
    let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        const current = [i];
        for (let j = 1; j <= b.length; j++) {
            current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        }
        previous = current;
    }
    return previous[b.length];
}

/** The closest region of `cloud` to `text`, when one is close enough to be a typo. */
function closestRegion(text: string, cloud: CloudName): string | undefined {
    let best: { region: string; distance: number } | undefined;
    for (const region of CLOUD_REGIONS[cloud]) {
        // The edit distance is at least the difference in length: skip the quadratic count where
        // that alone rules the region out (a 300,000-character value took seconds per cloud).
        if (Math.abs(text.length - region.length) > SUGGESTION_DISTANCE) continue;
        const distance = editDistance(text, region);
        if (distance <= SUGGESTION_DISTANCE && (best === undefined || distance < best.distance)) best = { region, distance };
    }
    return best?.region;
}

/**
 * What is wrong with `text` as a region of `cloud`, or undefined when it is one. A spelling the
 * cloud knows once spaces, dashes and capitals are gone ("West Europe") is named exactly; a near
 * miss ("westeurop") gets the closest name; anything else, the cloud's list.
 */
export function regionProblem(text: string, cloud: CloudName): string | undefined {
    const regions = CLOUD_REGIONS[cloud];
    // A cloud with no list is refused as a whole (CLOUD_RETIREMENTS): one error is enough.
    if (regions.length === 0 || regions.includes(text)) return undefined;
    const squashed = text.toLowerCase().replace(/[\s_-]/g, "");
    if (regions.includes(squashed)) return `"${text}" is not a region name; use "${squashed}"`;
    const elsewhere = cloudOfRegion(squashed);
    if (elsewhere !== undefined) {
        return `"${text}" is a region of ${elsewhere}, and cloud is ${cloud}; use one of ${cloud}'s regions (${regions.join(", ")}) or set cloud to ${elsewhere}`;
    }
    const near = closestRegion(squashed, cloud);
    if (near !== undefined) return `"${text}" is not a region of ${cloud}; did you mean "${near}"?`;
    return `"${text}" is not a region of ${cloud} in Microsoft's published region list (${CLOUD_REGIONS_AS_OF}); give the region as ARM spells it, e.g. "${regions[0]}" (az account list-locations lists yours)`;
}

/** Reads an ARM region name of `cloud`, as ARM spells it. */
export function readLocation(problems: ProblemList, value: unknown, path: string, cloud: CloudName): string | undefined {
    const hint = `give the region as ARM spells it, e.g. "${CLOUD_REGIONS[cloud][0] ?? "westeurope"}"`;
    const text = readRequiredString(problems, value, path, hint);
    if (text === undefined) return undefined;
    const problem = regionProblem(text, cloud);
    if (problem !== undefined) {
        problems.error(path, problem);
        return undefined;
    }
    return text;
}
