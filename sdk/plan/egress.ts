/**
 * The egress contract: every destination (host, port, protocol) the machines' agents reach, by
 * which route, with its service tag, a concrete probe host and whether it may be TLS-inspected.
 * Pure functions and plain data, split by job under `./egress/`; this file is their one import path.
 */
export * from "./egress/types";
export {
    DEFAULT_MDE_EGRESS,
    egressEndpoints,
    mergeEgressEndpoints,
    privateLinkHosts,
    proxyAllowlist,
    serviceTagDestinations,
} from "./egress/endpoints";
export {
    MDE_COMMERCIAL_LOCATIONS,
    MDE_GOVERNMENT_LOCATIONS,
    MDE_LOCATIONS_WITHOUT_STANDARD_HOSTS,
    isGovernmentLocation,
} from "./egress/mdeHosts";
export { STREAMLINED_PREREQUISITES_NOTE, egressNotes } from "./egress/notes";
export { RouteCheckTargets, routeCheckTargets, routeCheckVariables } from "./egress/routeCheck";
export { squidAllowlistSnippet } from "./egress/squid";
