/**
 * The scope components validate with the package's one `validate()`: each builds the raw args
 * the all-in-one would take for its part, so every default and every check is the same, and
 * reports a problem under its own field names and its own type name.
 */
import { Problem, validate, ValidationError, ValidationResult } from "../validate";

/** A `ValidationError` that names the scope component and its fields. */
export class ComponentValidationError extends ValidationError {
    constructor(component: string, problems: Problem[]) {
        super(problems);
        this.message = this.message.replace(/^DefenderForServersNetworkRestricted/, component);
    }
}

/** Validates `raw`, renaming the paths `renames` lists (prefix to prefix) in errors and warnings. */
export function validateFor(component: string, raw: Record<string, unknown>, renames: Record<string, string> = {}): ValidationResult {
    const rename = (problem: Problem): Problem => {
        for (const [from, to] of Object.entries(renames)) {
            if (problem.path === from || problem.path.startsWith(`${from}[`) || problem.path.startsWith(`${from}.`)) {
                return { ...problem, path: `${to}${problem.path.slice(from.length)}` };
            }
        }
        return problem;
    };
    try {
        const result = validate(raw);
        return { ...result, warnings: result.warnings.map(rename) };
    } catch (err) {
        if (err instanceof ValidationError) throw new ComponentValidationError(component, err.problems.map(rename));
        throw err;
    }
}

/** Problems of fields only a scope component has, in the same shape. */
export function refuse(component: string, problems: Problem[]): void {
    if (problems.length > 0) throw new ComponentValidationError(component, problems);
}
