// sdk/plan/egress/squid.ts: the lines Squid must receive for an egress list. Expected lines are
// written from Squid's documented directive syntax (https://www.squid-cache.org/Doc/config/acl,
// Squid 5 to 7): `acl aclname acltype argument ...`; `dstdomain` with a leading dot matches the domain
// and its subdomains, and Squid warns or refuses when one ACL holds a domain and a subdomain of it;
// `dstdom_regex -i` is a case-insensitive regular expression on the host; `port` and `method` ACLs;
// `CONNECT` is predefined ("ACLs all, manager, localhost, to_localhost, to_linklocal, and CONNECT are
// predefined"); http_access lines AND their ACLs. test/squid.spec.ts (scripts tier) loads the snippet
// into a real Squid; this spec pins the text.
import { strict as assert } from "node:assert";
import { EgressEndpoint, squidAllowlistSnippet } from "../../sdk/plan/egress";
import { egressRow } from "./egressRow";

const HEADER = "# defender-servers egress allowlist: CONNECT to port 443, and GET/HEAD to port 80, of these hosts only.";
const PASTE = '# Paste it above your final "http_access deny all"; every other destination stays denied.';
const HTTP_NOTE = "# Certificate revocation and trust lists travel as plain HTTP: GET and HEAD to port 80, no CONNECT.";

const row = (host: string, over: Partial<EgressEndpoint> = {}): EgressEndpoint => egressRow(host, ["Arc agent"], over);

const lines = (...l: string[]): string => `${l.join("\n")}\n`;

describe("egress Squid snippet: the lines Squid receives", function () {
    // [what, rows, ACL name (undefined: the default), the lines after the header and the paste hint]
    const cases: [string, EgressEndpoint[], string | undefined, string[]][] = [
        [
            "names its ACLs defender_servers unless told otherwise",
            [row("aka.ms")],
            undefined,
            [
                "acl defender_servers_port port 443",
                "acl defender_servers dstdomain aka.ms",
                "http_access allow CONNECT defender_servers_port defender_servers",
            ],
        ],
        [
            "plain-HTTP hosts only: GET and HEAD to port 80, and no CONNECT rule at all",
            [row("crl.microsoft.com", { port: 80 }), row("*.windowsupdate.com", { port: 80 })],
            "p",
            [
                HTTP_NOTE,
                "acl p_http_port port 80",
                "acl p_http_methods method GET HEAD",
                "acl p_http dstdomain .windowsupdate.com",
                "acl p_http dstdomain crl.microsoft.com",
                "http_access allow p_http_methods p_http_port p_http",
            ],
        ],
        [
            "a partial-label wildcard on port 80 gets its own regular-expression ACL, after the domains",
            [row("ctl*.example.com", { port: 80 }), row("www.example.org", { port: 80 })],
            "q",
            [
                HTTP_NOTE,
                "acl q_http_port port 80",
                "acl q_http_methods method GET HEAD",
                "acl q_http dstdomain www.example.org",
                "# ctl*.example.com: dstdomain has no wildcard inside a label, so this one is a regular expression.",
                "acl q_http_regex dstdom_regex -i ^ctl[a-z0-9-]*\\.example\\.com$",
                "http_access allow q_http_methods q_http_port q_http",
                "http_access allow q_http_methods q_http_port q_http_regex",
            ],
        ],
        [
            "a regular expression alone: no empty dstdomain ACL is referenced",
            [row("azgn*.servicebus.windows.net")],
            "r",
            [
                "acl r_port port 443",
                "# azgn*.servicebus.windows.net: dstdomain has no wildcard inside a label, so this one is a regular expression.",
                "acl r_regex dstdom_regex -i ^azgn[a-z0-9-]*\\.servicebus\\.windows\\.net$",
                "http_access allow CONNECT r_port r_regex",
            ],
        ],
        [
            "a wildcard is dropped only for another wildcard above it, never for itself",
            [row("*.guestconfiguration.azure.com"), row("agentserviceapi.guestconfiguration.azure.com")],
            "s",
            ["acl s_port port 443", "acl s dstdomain .guestconfiguration.azure.com", "http_access allow CONNECT s_port s"],
        ],
        [
            "a regular expression whose domain a wildcard covers is left out",
            [row("*.servicebus.windows.net"), row("azgn*.servicebus.windows.net")],
            "t",
            ["acl t_port port 443", "acl t dstdomain .servicebus.windows.net", "http_access allow CONNECT t_port t"],
        ],
    ];
    for (const [what, rows, aclName, expected] of cases) {
        it(what, function () {
            assert.equal(squidAllowlistSnippet(rows, aclName), lines(HEADER, PASTE, ...expected));
        });
    }

    it("only the proxy route: Private Link and platform rows are not the proxy's business, whatever their port", function () {
        const snippet = squidAllowlistSnippet(
            [
                row("*.his.arc.azure.com", { route: "privateLink" }),
                row("168.63.129.16", { route: "platform", port: 32526, protocol: "http" }),
                row("aka.ms", { when: "install" }),
            ],
            "p",
        );
        assert.equal(snippet, lines(HEADER, PASTE, "acl p_port port 443", "acl p dstdomain aka.ms", "http_access allow CONNECT p_port p"));
        assert.equal(
            squidAllowlistSnippet([row("*.his.arc.azure.com", { route: "privateLink" })]),
            lines(HEADER, "# No host needs the proxy."),
        );
    });

    it("one name per host, sorted, and nothing a wildcard on the list already covers", function () {
        const snippet = squidAllowlistSnippet(
            [
                row("x.example.com"),
                row("*.servicebus.windows.net"),
                row("*.windows.net"),
                // `.windows.net` also matches `windows.net` itself.
                row("windows.net"),
                row("azgn*.servicebus.windows.net"),
                row("x.example.com"),
                row("*.a.example"),
                // Not under `.a.example`: only a whole label before it counts.
                row("*.xa.example"),
                row("xa.example"),
            ],
            "p",
        );
        assert.equal(
            snippet,
            lines(
                HEADER,
                PASTE,
                "acl p_port port 443",
                "acl p dstdomain .a.example",
                "acl p dstdomain .windows.net",
                "acl p dstdomain .xa.example",
                "acl p dstdomain x.example.com",
                "http_access allow CONNECT p_port p",
            ),
        );
    });

    it("a wildcard at the start of a label becomes an anchored pattern too", function () {
        assert.match(
            squidAllowlistSnippet([row("*gw.example.com")], "p"),
            /^acl p_regex dstdom_regex -i \^\[a-z0-9-\]\*gw\\\.example\\\.com\$$/m,
        );
    });
});

describe("egress Squid snippet: what it refuses", function () {
    const refuses = (endpoints: EgressEndpoint[], message: string, aclName?: string) =>
        assert.throws(
            () => squidAllowlistSnippet(endpoints, aclName),
            (err: Error) => err.message === message,
        );

    it("ACL names that are not a letter followed by letters, digits and underscores", function () {
        for (const name of ["9lives", "ab-c", "a b", "_x", "", "x."]) {
            refuses([], `egress: Squid ACL name "${name}" must be letters, digits and underscores, starting with a letter`, name);
        }
        assert.doesNotThrow(() => squidAllowlistSnippet([], "Allow_2"));
    });

    it("a port and protocol pair other than HTTPS 443 or HTTP 80", function () {
        refuses(
            [row("x.example", { port: 443, protocol: "http" })],
            "egress: x.example on port 443 (http) has no Squid rule; only HTTPS 443 and HTTP 80 are rendered",
        );
        refuses(
            [row("x.example", { port: 80, protocol: "https" })],
            "egress: x.example on port 80 (https) has no Squid rule; only HTTPS 443 and HTTP 80 are rendered",
        );
        refuses(
            [row("x.example", { port: 8443 })],
            "egress: x.example on port 8443 (https) has no Squid rule; only HTTPS 443 and HTTP 80 are rendered",
        );
    });

    it("host names Squid cannot take, a second wildcard, and a wildcard past the first label", function () {
        for (const host of ["X.example", "-x.example", "x.example/", "x_y.example", "x.example:443"]) {
            refuses([row(host)], `egress: "${host}" cannot be written into a Squid ACL`);
        }
        refuses(
            [row("a*b*.example")],
            'egress: "a*b*.example" has a wildcard Squid cannot match: one, in the first label, before the domain',
        );
        refuses(
            [row("a*.b*.example")],
            'egress: "a*.b*.example" has a wildcard Squid cannot match: one, in the first label, before the domain',
        );
        refuses(
            [row("a*.b.*.example", { port: 80 })],
            'egress: "a*.b.*.example" has a wildcard Squid cannot match: one, in the first label, before the domain',
        );
        refuses(
            [row("a.b*.example")],
            'egress: "a.b*.example" has a wildcard Squid cannot match: one, in the first label, before the domain',
        );
        refuses([row("ab*")], 'egress: "ab*" has a wildcard Squid cannot match: one, in the first label, before the domain');
    });
});
