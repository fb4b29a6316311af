/** Plain data the plan specs share (not a spec: mocha loads only test/pure/*.spec.ts). */
import { NormalizedProxy } from "../../sdk/validate/proxy";

/** An unauthenticated proxy as validation leaves it: `http://host:port`, nothing to bypass, no route check. */
export const PLAIN_PROXY: NormalizedProxy = {
    url: "http://proxy.contoso.com:3128",
    host: "proxy.contoso.com",
    port: 3128,
    bypass: [],
    unauthenticatedForAgentHosts: false,
    routeCheck: false,
};
