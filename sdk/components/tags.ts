/**
 * The user's `tags` on every resource a component declares that takes tags. The builders in
 * `resources/` do not know about tags (they are shared and owned elsewhere), so each component
 * adds them to its children at registration, through its `transformations` option (applied by
 * the SDK itself before the request leaves, so the engine and the offline preview see the same
 * inputs). Without `tags` nothing is added: a stack that sets none sees no change.
 */
import * as pulumi from "@pulumi/pulumi";
import { Problem } from "../validate";

/**
 * The resource types this package declares whose azure-native inputs have `tags` (read from
 * azure-native's own declarations: test/scopesComponents.spec.ts checks this list against them).
 */
export const TAGGABLE_TYPES: ReadonlySet<string> = new Set([
    "azure-native:compute:VirtualMachineRunCommandByVirtualMachine",
    "azure-native:compute:VirtualMachineExtension",
    "azure-native:hybridcompute:MachineRunCommand",
    "azure-native:hybridcompute:MachineExtension",
    "azure-native:hybridcompute:PrivateLinkScope",
    "azure-native:hybridcompute:Gateway",
    "azure-native:monitor:DataCollectionRule",
    "azure-native:monitor:DataCollectionEndpoint",
    "azure-native:monitor:PrivateLinkScope",
    "azure-native:network:PrivateEndpoint",
    "azure-native:privatedns:PrivateZone",
    "azure-native:privatedns:VirtualNetworkLink",
    "azure-native:resources:Deployment",
    "azure-native:resources:DeploymentAtSubscriptionScope",
]);

/**
 * Azure's limits on tags (azure-docs `azure-resource-manager/management/tag-resources.md`,
 * "Limitations"; the stored revision is dated 2022, and current REST specs repeat the character
 * rule): at most 50 tags, names up to 512 characters without `< > % & \ ? /`, values up to 256.
 * Private DNS zones, their records and virtual network links take only 15 tags, and Azure DNS
 * takes no space in a tag name, no name starting with a digit, and no special or Unicode
 * character in names: a component that may create zones checks those too.
 */
const MAX_TAGS = 50;
const MAX_PRIVATE_DNS_TAGS = 15;
const FORBIDDEN_IN_NAME = /[<>%&\\?/]/;
const PRIVATE_DNS_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Problems with a `tags` value, under `path`; `privateDns` when the component may create private DNS zones or links. */
export function tagProblems(tags: unknown, path = "tags", privateDns = false): Problem[] {
    if (tags === undefined) return [];
    if (tags === null || typeof tags !== "object" || Array.isArray(tags))
        return [{ path, message: "expected a map of tag name to string value" }];
    const entries = Object.entries(tags as Record<string, unknown>);
    const problems: Problem[] = [];
    if (entries.length > MAX_TAGS)
        problems.push({ path, message: `has ${entries.length} tags; Azure takes at most ${MAX_TAGS} per resource` });
    if (privateDns && entries.length > MAX_PRIVATE_DNS_TAGS) {
        problems.push({
            path,
            message: `has ${entries.length} tags; private DNS zones and their virtual network links take at most ${MAX_PRIVATE_DNS_TAGS}`,
        });
    }
    for (const [name, value] of entries) {
        if (name.length === 0 || name.length > 512 || FORBIDDEN_IN_NAME.test(name)) {
            problems.push({ path: `${path}.${name}`, message: "is not a valid tag name: 1 to 512 characters, none of < > % & \\ ? /" });
        } else if (privateDns && !PRIVATE_DNS_NAME.test(name)) {
            problems.push({
                path: `${path}.${name}`,
                message: "is not a tag name private DNS zones take: letters, digits, - _ and . only, no space, not starting with a digit",
            });
        }
        if (typeof value !== "string" || value.length > 256) {
            problems.push({
                path: `${path}.${name}`,
                message: "expected a string of at most 256 characters (tags are readable by anyone with Reader: no secrets)",
            });
        }
    }
    return problems;
}

/** `opts` plus a transformation that merges `tags` into every taggable child (the child's own tags win). */
export function withTags<T extends pulumi.ResourceOptions>(opts: T | undefined, tags: { [name: string]: string } | undefined): T {
    if (tags === undefined || Object.keys(tags).length === 0) return (opts ?? {}) as T;
    const tagging: pulumi.ResourceTransformation = (args) => {
        if (!TAGGABLE_TYPES.has(args.type)) return undefined;
        const own = args.props.tags as pulumi.Input<{ [name: string]: pulumi.Input<string> }> | undefined;
        const merged = own === undefined ? { ...tags } : pulumi.output(own).apply((o) => ({ ...tags, ...o }));
        return { props: { ...args.props, tags: merged }, opts: args.opts };
    };
    return { ...(opts ?? {}), transformations: [...(opts?.transformations ?? []), tagging] } as T;
}

/**
 * The all-in-one's args split into its `tags` and the rest, which `validate()` reads (it does not
 * know `tags`). Args without `tags` come back exactly as they came, so validation errors stay the same.
 */
export function splitTags<T>(args: T): { tags: { [name: string]: string } | undefined; rest: T; hasTags: boolean } {
    const hasTags = typeof args === "object" && args !== null && Object.prototype.hasOwnProperty.call(args, "tags");
    if (!hasTags) return { tags: undefined, rest: args, hasTags };
    const { tags, ...rest } = args as T & { tags?: { [name: string]: string } };
    return { tags, rest: rest as T, hasTags };
}
