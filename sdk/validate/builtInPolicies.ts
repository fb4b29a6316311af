/** Validation of `builtInPolicies`: which of Microsoft's built-in policies the component assigns. */
import { readBoolean, readObject, rejectUnknownKeys } from "./fields";
import { ProblemList } from "./problems";

/** `builtInPolicies` after defaults. */
export interface NormalizedBuiltInPolicies {
    /** Assign the built-in modify policies that add a system-assigned identity to Azure VMs. */
    addSystemAssignedIdentity: boolean;
    /** Assign the built-in Azure Update Manager periodic-assessment policies. */
    periodicUpdateAssessment: boolean;
}

/** Reads `builtInPolicies` (both off by default). */
export function readBuiltInPolicies(problems: ProblemList, value: unknown): NormalizedBuiltInPolicies {
    const fields = readObject(problems, value, "builtInPolicies") ?? {};
    rejectUnknownKeys(problems, fields, "builtInPolicies", ["addSystemAssignedIdentity", "periodicUpdateAssessment"]);
    return {
        addSystemAssignedIdentity: readBoolean(
            problems,
            fields.addSystemAssignedIdentity,
            "builtInPolicies.addSystemAssignedIdentity",
            false,
        ),
        periodicUpdateAssessment: readBoolean(problems, fields.periodicUpdateAssessment, "builtInPolicies.periodicUpdateAssessment", false),
    };
}
