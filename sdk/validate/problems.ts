/**
 * Collects every problem with the args before any resource exists, so that one `pulumi
 * preview` shows the user all of them at once instead of one per run.
 */

/** One thing wrong with the args: where it is, and what to do about it. */
export interface Problem {
    /** Dotted path of the offending field, e.g. `machines[2].os`. */
    path: string;
    /** What is wrong and how to fix it, written for the person who wrote the args. */
    message: string;
}

/** Thrown by `validate()` with every problem found; its message lists them one per line. */
export class ValidationError extends Error {
    /** The problems, in the order they were found. */
    public readonly problems: Problem[];

    constructor(problems: Problem[]) {
        const lines = problems.map((p) => `  - ${p.path}: ${p.message}`);
        super(`DefenderForServersNetworkRestricted: invalid arguments (${problems.length}):\n${lines.join("\n")}`);
        this.name = "ValidationError";
        this.problems = problems;
    }
}

/** Accumulates hard problems (errors) and soft ones (warnings) while the args are read. */
export class ProblemList {
    public readonly errors: Problem[] = [];
    public readonly warnings: Problem[] = [];

    error(path: string, message: string): void {
        this.errors.push({ path, message });
    }

    warn(path: string, message: string): void {
        this.warnings.push({ path, message });
    }

    /** Throws a `ValidationError` listing every error, if there is any. */
    throwIfAny(): void {
        if (this.errors.length > 0) {
            throw new ValidationError(this.errors);
        }
    }
}
