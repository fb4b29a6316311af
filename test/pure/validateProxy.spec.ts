/**
 * `proxy` validation (sdk/validate/proxy.ts) on plain data: the address every agent is given,
 * the bypass list the scripts write, and the credentials. Expectations come from what the agents
 * accept (docs/arguments.md "proxy"; /work/shared/design.md: a static `http://host:port` proxy,
 * TLS opened through it with CONNECT) and from the limits documented beside BYPASS_LIMITS.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { NormalizedProxy, parseProxyAddress, readProxy } from "../../sdk/validate/proxy";
import { Case, itReads } from "./validateRead";

type Address = ReturnType<typeof parseProxyAddress>;

/** A refused address: one error at `proxy.address`, nothing returned. */
function refused(address: unknown, says: RegExp, why: string): Case<unknown, Address> {
    return { why, input: address, errors: [["proxy.address", says]], value: (v) => assert.equal(v, undefined) };
}

/** An accepted address and the `http://host:port` the agents get from it. */
function accepted(address: string, url: string, host: string, port: number, why: string): Case<unknown, Address> {
    return { why, input: address, value: (v) => assert.deepStrictEqual(v, { url, host, port }) };
}

const ADDRESSES: Case<unknown, Address>[] = [
    refused(undefined, /^is required; give the proxy as http:\/\/host:port$/, "a missing address is required, with its form"),
    refused("", /^is required; give the proxy as http:\/\/host:port$/, "a blank address is required"),
    refused("http://alice:s3cret@proxy.corp:3128", /^contains credentials;.*proxy\.username and proxy\.password/, "credentials in the URL"),
    refused("proxy.corp:3128/x@y", /^contains credentials/, "an @ anywhere, even without a scheme"),
    refused("http://proxy.corp/proxy.pac", /PAC or WPAD address;.*static proxy/, "a PAC file"),
    refused("wpad.corp.example", /PAC or WPAD/, "a WPAD host name at the start"),
    refused("http://proxy.corp/wpad", /PAC or WPAD/, "a WPAD name at the end"),
    refused("proxy.corp:3128", /^"proxy\.corp:3128" has no scheme; use http:\/\/proxy\.corp:3128$/, "no scheme"),
    refused("proxy.corp:3128/x://y", /has no scheme/, "a scheme only counts at the start"),
    refused(
        "HTTPS://proxy.corp:3128",
        /uses https:\/\/; the agents talk to the proxy in plain HTTP.*CONNECT: use http:\/\/proxy\.corp:3128$/,
        "https, named in lower case, with the http form",
    ),
    refused("socks5://proxy.corp:1080", /uses socks5:\/\//, "another scheme"),
    refused("http://proxy.corp", /has no port; agents do not assume one: use http:\/\/proxy\.corp:3128 /, "no port"),
    refused("http://proxy.corp?x=1", /has no port;.*use http:\/\/proxy\.corp:3128 /, "no port before a query"),
    refused("http://[fd00::4]", /has no port/, "an IPv6 literal without a port (its colons are not a port)"),
    refused("http://proxy.corp:0", /^port 0 is out of range; use 1-65535$/, "port 0"),
    refused("http://proxy.corp:65536", /^port 65536 is out of range; use 1-65535$/, "a port above 65535"),
    refused("http://exa mple:3128", /is not a valid URL; use http:\/\/host:port/, "not a URL"),
    refused("http://proxy.corp:3128/path", /has a path or query; give only http:\/\/host:port/, "a path"),
    refused("http://proxy.corp:3128?x=1", /has a path or query/, "a query"),
    refused("http://proxy.corp:3128#top", /has a path or query/, "a fragment"),
    refused("http://[fd00::4]:3128", /^is an IPv6 address;.*host name or an IPv4 address/, "an IPv6 address"),
    refused("http://my_proxy:3128", /^"my_proxy" is not a valid host name$/, "an underscore in the host"),
    accepted("http://proxy.corp.example:3128", "http://proxy.corp.example:3128", "proxy.corp.example", 3128, "a host and port"),
    accepted("HTTP://Proxy.Corp.Example:3128/", "http://proxy.corp.example:3128", "proxy.corp.example", 3128, "upper case, a slash"),
    accepted("http://10.0.0.4:1", "http://10.0.0.4:1", "10.0.0.4", 1, "an IPv4 address and port 1"),
    accepted("http://proxy:65535", "http://proxy:65535", "proxy", 65535, "port 65535"),
    accepted("http://proxy:03128", "http://proxy:3128", "proxy", 3128, "a port with a leading zero, written without"),
    accepted("http://proxy.pacific.example:3128", "http://proxy.pacific.example:3128", "proxy.pacific.example", 3128, ".pac inside a name"),
    accepted("http://wpadproxy.corp:3128", "http://wpadproxy.corp:3128", "wpadproxy.corp", 3128, "wpad inside a name"),
];

/** A bypass list of `count` entries of `chars` characters each. */
function entries(count: number, chars: number): string[] {
    return Array.from({ length: count }, (_, i) => `h${i}.`.padEnd(chars, "x"));
}

const ADDRESS = "http://proxy.corp:3128";
type Bypass = string[] | undefined;
const bypassOf = (v: NormalizedProxy | undefined): Bypass => v?.bypass;

const BYPASS: Case<unknown, NormalizedProxy | undefined>[] = [
    { why: "none: an empty list", input: undefined, value: (v) => assert.deepStrictEqual(bypassOf(v), []) },
    {
        why: "not a list",
        input: ".corp",
        errors: [["proxy.bypass", /^expected a list of host names, domains or IP addresses$/]],
        value: (v) => assert.deepStrictEqual(bypassOf(v), []),
    },
    {
        why: "201 entries: one too many",
        input: entries(201, 10),
        errors: [["proxy.bypass", /^has 201 entries; at most 200 are accepted/]],
        value: (v) => assert.deepStrictEqual(bypassOf(v), []),
    },
    { why: "200 entries: the limit", input: entries(200, 10), value: (v) => assert.deepStrictEqual(bypassOf(v), entries(200, 10)) },
    {
        why: "entries that are not strings, named by index and kind",
        input: [null, [".corp"], 5, ".ok"],
        errors: [
            ["proxy.bypass[0]", /^expected a string, got null$/],
            ["proxy.bypass[1]", /^expected a string, got a list$/],
            ["proxy.bypass[2]", /^expected a string, got number$/],
        ],
        value: (v) => assert.deepStrictEqual(bypassOf(v), [".ok"]),
    },
    {
        why: "an entry with credentials, never quoted",
        input: ["alice:s3cret@host.corp"],
        errors: [["proxy.bypass[0]", /^carries credentials \(user:password@\);(?!.*s3cret)/]],
    },
    {
        why: "entries that would bypass everything",
        input: ["*", "..."],
        errors: [
            ["proxy.bypass[0]", /^would send everything around the proxy/],
            ["proxy.bypass[1]", /^would send everything around the proxy/],
        ],
    },
    {
        why: "an entry longer than a DNS name (253)",
        input: entries(1, 254),
        errors: [["proxy.bypass[0]", /^is 254 characters long; a host name has at most 253$/]],
    },
    { why: "an entry of 253 characters", input: entries(1, 253), value: (v) => assert.deepStrictEqual(bypassOf(v), entries(1, 253)) },
    {
        why: "entries with a scheme or a space",
        input: ["http://host.corp", "host corp"],
        errors: [
            ["proxy.bypass[0]", /^is not a host name, .domain or IP address/],
            ["proxy.bypass[1]", /^is not a host name, .domain or IP address/],
        ],
    },
    {
        // 16 x 224 = 3584 characters, and 15 commas between them make 3599.
        why: "more than 3584 characters once joined with commas",
        input: entries(16, 224),
        errors: [["proxy.bypass", /^is 3599 characters long in all; at most 3584/]],
        value: (v) => assert.deepStrictEqual(bypassOf(v), []),
    },
    {
        // 15 x 224 + 209 + 15 commas = 3584.
        why: "exactly 3584 characters with the commas",
        input: [...entries(15, 224), "z.".padEnd(209, "x")],
        value: (v) => assert.equal(bypassOf(v)?.length, 16),
    },
];

const SECRET = pulumi.secret("s3cret");
const PROXIES: Case<unknown, NormalizedProxy | undefined>[] = [
    { why: "no proxy", input: undefined, value: (v) => assert.equal(v, undefined) },
    { why: "not an object", input: ADDRESS, errors: [["proxy", /^expected an object, got "http/]] },
    {
        why: "an unknown field",
        input: { address: ADDRESS, Bypass: [] },
        errors: [["proxy.Bypass", /^is not a known field; did you mean "bypass"\?/]],
    },
    {
        // docs/arguments.md: routeCheck defaults to true, unauthenticatedForAgentHosts to false.
        why: "an address alone: its defaults",
        input: { address: ADDRESS },
        value: (v) =>
            assert.deepStrictEqual(v, {
                url: ADDRESS,
                host: "proxy.corp",
                port: 3128,
                bypass: [],
                credentials: undefined,
                unauthenticatedForAgentHosts: false,
                routeCheck: true,
            }),
    },
    {
        why: "a bad address: nothing returned",
        input: { address: "proxy.corp" },
        errors: [["proxy.address", /no scheme/]],
        value: (v) => assert.equal(v, undefined),
    },
    {
        why: "credentials as Outputs, and the agent hosts unauthenticated",
        input: { address: ADDRESS, username: "alice", password: SECRET, unauthenticatedForAgentHosts: true },
        value: (v) => {
            assert.deepStrictEqual(v?.credentials, { username: "alice", password: SECRET });
            assert.equal(v?.unauthenticatedForAgentHosts, true);
        },
    },
    {
        why: "a promise counts as a given credential",
        input: { address: ADDRESS, username: Promise.resolve("alice"), password: "p" },
        value: (v) => assert.equal(v?.credentials?.password, "p"),
    },
    {
        why: "unauthenticatedForAgentHosts not a boolean",
        input: { address: ADDRESS, username: "alice", password: "p", unauthenticatedForAgentHosts: "yes" },
        errors: [["proxy.unauthenticatedForAgentHosts", /^expected true or false, got "yes"$/]],
    },
    {
        why: "a password alone: the user name is missing",
        input: { address: ADDRESS, password: SECRET },
        errors: [["proxy.username", /^is missing; give both proxy\.username and proxy\.password, or neither$/]],
        value: (v) => assert.equal(v?.credentials, undefined),
    },
    {
        why: "a user name alone: the password is missing, and no credentials go out",
        input: { address: ADDRESS, username: "alice" },
        errors: [["proxy.password", /^is missing; give both/]],
        value: (v) => assert.equal(v?.credentials, undefined),
    },
    {
        why: "null and blank credentials count as absent, without a type error",
        input: { address: ADDRESS, username: null, password: "" },
        value: (v) => assert.equal(v?.credentials, undefined),
    },
    {
        why: "a number as user name: its type, and it counts as missing",
        input: { address: ADDRESS, username: 5, password: "p" },
        errors: [
            ["proxy.username", /^expected a string or an Output of one \(a secret\), got a number$/],
            ["proxy.username", /^is missing/],
        ],
    },
    {
        why: "an object as password: its type only (it counts as given)",
        input: { address: ADDRESS, username: "alice", password: { value: "p" } },
        errors: [["proxy.password", /^expected a string or an Output of one \(a secret\), got a object$/]],
    },
    {
        why: "unauthenticatedForAgentHosts without credentials",
        input: { address: ADDRESS, unauthenticatedForAgentHosts: false },
        errors: [["proxy.unauthenticatedForAgentHosts", /^only matters with proxy\.username and proxy\.password; remove it$/]],
    },
    {
        why: "routeCheck off: a warning that nothing proves the route",
        input: { address: ADDRESS, routeCheck: false },
        warnings: [["proxy.routeCheck", /^is false: no machine proves its route through the proxy before MDE is switched on/]],
        value: (v) => assert.equal(v?.routeCheck, false),
    },
    {
        why: "routeCheck not a boolean: refused, and the check stays on",
        input: { address: ADDRESS, routeCheck: "no" },
        errors: [["proxy.routeCheck", /^expected true or false, got "no"$/]],
        value: (v) => assert.equal(v?.routeCheck, true),
    },
];

describe("proxy validation (sdk/validate/proxy.ts)", () => {
    describe("the address", () => itReads(ADDRESSES, (problems, address) => parseProxyAddress(problems, address, "proxy.address")));
    describe("the bypass list", () => itReads(BYPASS, (problems, bypass) => readProxy(problems, { address: ADDRESS, bypass })));
    describe("the proxy", () => itReads(PROXIES, readProxy));
});
