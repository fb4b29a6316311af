/** Reads an optional whole number within bounds (rollout's counts and minutes, the firewall's priority). */
import { describe } from "./fields";
import { ProblemList } from "./problems";

/** True for a whole number: `Number.isInteger` is false for anything that is not a number. */
function isWholeNumber(value: unknown): value is number {
    return Number.isInteger(value);
}

/** `fallback` when absent; a value that is not a whole number from `min` to `max` is reported (saying what it got) and replaced by `fallback`. */
export function readWholeNumber(problems: ProblemList, value: unknown, path: string, min: number, max: number, fallback: number): number {
    if (value === undefined) return fallback;
    if (!isWholeNumber(value) || value < min || value > max) {
        problems.error(path, `expected a whole number from ${min} to ${max}, got ${typeof value === "number" ? value : describe(value)}`);
        return fallback;
    }
    return value;
}
