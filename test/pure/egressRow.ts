/** One hand-written egress row for the egress specs: HTTPS 443 on the proxy, both systems, inspectable, no tag or probe, unless told otherwise. */
import { EgressEndpoint } from "../../sdk/plan/egress";

export function egressRow(host: string, agents: string[], over: Partial<EgressEndpoint> = {}): EgressEndpoint {
    const port = over.port ?? 443;
    return {
        host,
        port,
        protocol: port === 80 ? "http" : "https",
        agents,
        platforms: ["linux", "windows"],
        why: "test row",
        when: "always",
        route: "proxy",
        serviceTag: "",
        probeHost: "",
        tlsInspection: true,
        ...over,
    };
}
