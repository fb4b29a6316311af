/**
 * Which input changes make azure-native replace a resource instead of updating it.
 *
 * The provider's metadata (its `forceNew` marks) lives in the provider plugin, not in the
 * @pulumi/azure-native npm package, so the rule is rebuilt from what the package does ship:
 * - every parameter of the resource's ARM URL path: "Any property from the path of a resource
 *   URL must cause replacement on update" (pulumi/pulumi-azure-native#77; the provider's
 *   diff.go, see pulumi/pulumi-azure-native#2283). The path parameters are the arguments of the
 *   type's own `get<Type>` function that are also arguments of the resource (which leaves out
 *   query parameters such as `expand`);
 * - the properties azure-native lists by hand (provider/pkg/gen/replacement.go `forceNewMap`):
 *   a role assignment's `principalId` and `scope`;
 * - for @pulumi/random's RandomString (the policy rollout's gate), every argument: the random
 *   provider replaces the value whenever one changes ("keepers: arbitrary map of values that,
 *   when changed, will trigger recreation of resource", registry docs of random_string).
 * Body properties that ARM marks create-only (`x-ms-mutability` without `update`) are NOT
 * known here: docs/offline-preview.md lists that difference.
 */
import { argsOf } from "./azureNativeSdk";

/** azure-native's own list (replacement.go), for the types this package uses. */
const LISTED: Record<string, string[]> = {
    "azure-native:authorization:RoleAssignment": ["principalId", "scope"],
    "random:index/randomString:RandomString": [
        "keepers",
        "length",
        "lower",
        "minLower",
        "minNumeric",
        "minSpecial",
        "minUpper",
        "number",
        "numeric",
        "overrideSpecial",
        "special",
        "upper",
    ],
};

const cache = new Map<string, string[]>();

/**
 * The inputs of `type` whose change makes azure-native replace the resource; empty for types
 * outside azure-native, and for one whose SDK files cannot be read.
 */
export function replaceKeys(type: string): string[] {
    const known = cache.get(type);
    if (known !== undefined) return known;
    const keys = new Set(LISTED[type] ?? []);
    const [pkg, module, name] = type.split(":");
    if (pkg === "azure-native" && module !== undefined && name !== undefined) {
        const pathParams = argsOf(module, `get${name}`, `Get${name}Args`);
        const args = argsOf(module, name.charAt(0).toLowerCase() + name.slice(1), `${name}Args`);
        if (pathParams !== undefined && args !== undefined) for (const key of pathParams) if (args.includes(key)) keys.add(key);
    }
    const result = [...keys].sort();
    cache.set(type, result);
    return result;
}
