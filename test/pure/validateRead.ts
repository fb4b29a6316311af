/**
 * Shared by the test/pure/validate*.spec.ts specs: runs one reader of sdk/validate on a fresh
 * problem list and checks what a user would read. Each expected problem is its exact path and a
 * pattern for the part of the message the user needs (what is wrong, the limit, the fix).
 */
import { strict as assert } from "node:assert";
import { Problem, ProblemList } from "../../sdk/validate/problems";

/** An expected problem: its path, and what its message must say. */
export type Expected = [path: string, says: RegExp];

/** What a reader returned and reported. */
export interface Read<T> {
    value: T;
    errors: Problem[];
    warnings: Problem[];
}

/** Runs `reader` on a fresh problem list. */
export function read<T>(reader: (problems: ProblemList) => T): Read<T> {
    const problems = new ProblemList();
    const value = reader(problems);
    return { value, errors: problems.errors, warnings: problems.warnings };
}

/** The problems are exactly `expected`, in order: the same paths, each message matching its pattern. */
export function assertProblems(found: Problem[], expected: readonly Expected[], what: string): void {
    assert.deepEqual(
        found.map((p) => p.path),
        expected.map(([path]) => path),
        `${what}: ${JSON.stringify(found)}`,
    );
    found.forEach((problem, i) => assert.match(problem.message, expected[i][1], `${what}: ${problem.path}`));
}

/** One row of a table of inputs: what goes in, the errors and warnings that come out, and the value when it matters. */
export interface Case<I, T> {
    why: string;
    input: I;
    errors?: Expected[];
    warnings?: Expected[];
    /** Checks the returned value (a deepStrictEqual over what the sources say, or a few fields). */
    value?: (value: T) => void;
}

/** Runs a table of cases through `reader`, one `it` each. */
export function itReads<I, T>(cases: readonly Case<I, T>[], reader: (problems: ProblemList, input: I) => T): void {
    for (const c of cases) {
        it(c.why, () => {
            const { value, errors, warnings } = read((problems) => reader(problems, c.input));
            assertProblems(errors, c.errors ?? [], "errors");
            assertProblems(warnings, c.warnings ?? [], "warnings");
            c.value?.(value);
        });
    }
}
