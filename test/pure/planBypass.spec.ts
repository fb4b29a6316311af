/**
 * The proxy bypass list and its renderings (sdk/plan/bypass.ts), on their own. Sources:
 * - /work/shared/azure-facts.md section 8: `168.63.129.16` (the Azure platform / wire server) and
 *   `169.254.169.254` (instance metadata) always bypass the proxy;
 * - WinHTTP's bypass list knows only `*` wildcards (`netsh winhttp set proxy ... bypass-list=`, defender-docs
 *   `configure-proxy-internet.md`), so an octet-aligned CIDR becomes octet wildcards and any other
 *   CIDR cannot be said;
 * - Linux `no_proxy`: a leading-dot domain (`.contoso.com`) matches its subdomains in curl, apt and Python.
 */
import { strict as assert } from "node:assert";
import { ALWAYS_BYPASS, bypassList, cidrAsWildcard, linuxNoProxy, unsupportedOnWindows, windowsBypass } from "../../sdk/plan/bypass";

describe("proxy bypass (sdk/plan/bypass.ts)", () => {
    it("starts with the wire server, instance metadata and the machine itself, then the given entries, each once", () => {
        assert.deepEqual([...ALWAYS_BYPASS], ["168.63.129.16", "169.254.169.254", "localhost", "127.0.0.1"]);
        assert.deepEqual(bypassList(), [...ALWAYS_BYPASS]);
        assert.deepEqual(bypassList([".contoso.com", "168.63.129.16"], ["10.0.0.0/8", ".contoso.com"]), [
            ...ALWAYS_BYPASS,
            ".contoso.com",
            "10.0.0.0/8",
        ]);
    });

    it("says an octet-aligned CIDR range as WinHTTP octet wildcards, and nothing else", () => {
        const cases: Array<[string, string | undefined]> = [
            ["10.0.0.0/8", "10.*.*.*"],
            ["192.168.0.0/16", "192.168.*.*"],
            ["172.16.5.0/24", "172.16.5.*"],
            ["192.168.100.0/24", "192.168.100.*"],
            ["10.1.2.3/32", "10.1.2.3"],
            ["10.1.2.250/32", "10.1.2.250"],
            ["0.0.0.0/0", "*.*.*.*"],
            ["10.0.0.0/12", undefined],
            ["10.0.0.0/40", undefined],
            ["10.0.0.0", undefined],
            ["intranet.contoso.com", undefined],
            [" 10.0.0.0/8", undefined],
            ["10.0.0.0/8 ", undefined],
            ["10.0.0/8", undefined],
        ];
        for (const [entry, wildcard] of cases) assert.equal(cidrAsWildcard(entry), wildcard, entry);
    });

    it("flags exactly the CIDR ranges WinHTTP cannot express", () => {
        const cases: Array<[string, boolean]> = [
            ["10.0.0.0/12", true],
            ["192.168.1.0/25", true],
            ["10.0.0.0/8", false],
            ["10.1.2.3/32", false],
            ["intranet.contoso.com", false],
            [".contoso.com", false],
            ["10.0.0.1", false],
        ];
        for (const [entry, unsupported] of cases) assert.equal(unsupportedOnWindows(entry), unsupported, entry);
    });

    it("renders no_proxy for Linux: *.domain as .domain, everything else as given, comma-separated", () => {
        assert.equal(
            linuxNoProxy(["*.contoso.com", ".fabrikam.com", "10.0.0.0/8", "host", "a*.example.com"]),
            ".contoso.com,.fabrikam.com,10.0.0.0/8,host,a*.example.com",
        );
        assert.equal(linuxNoProxy([]), "");
    });

    it("renders WinHTTP's list: .domain as *.domain, CIDR as octet wildcards (an unaligned one as given), each once", () => {
        assert.equal(
            windowsBypass([
                ".contoso.com",
                "*.fabrikam.com",
                "10.0.0.0/8",
                "10.0.0.0/12",
                "host",
                "10.*.*.*",
                "*.contoso.com",
                "localhost.",
            ]),
            "*.contoso.com,*.fabrikam.com,10.*.*.*,10.0.0.0/12,host,localhost.",
        );
        assert.equal(windowsBypass([]), "");
    });
});
