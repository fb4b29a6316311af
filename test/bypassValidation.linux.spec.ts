// proxy.bypass validation: the bounds the Linux scripts enforce too, and no entry quoted in a
// message (an entry given by mistake with user:password@ would carry its credential into CI logs).
import { strict as assert } from "node:assert";
import { validate, ValidationError } from "../sdk/validate";
import { BYPASS_LIMITS } from "../sdk/validate/proxy";
import { MINIMAL } from "./harness";

const SECRET = "Pa55-w0rd-in-a-bypass";
const VM = { key: "vm-1", kind: "azureVm", os: "linux", resourceGroupName: "rg", name: "vm-1" };

function problemsFor(bypass: unknown): { path: string; message: string }[] {
    try {
        validate({ ...MINIMAL, proxy: { address: "http://proxy.corp.example:3128", bypass }, machines: [VM] });
    } catch (err) {
        assert.ok(err instanceof ValidationError, String(err));
        assert.ok(!err.message.includes(SECRET), `the error quotes a credential:\n${err.message}`);
        return err.problems.filter((p) => p.path.startsWith("proxy.bypass"));
    }
    return [];
}

describe("proxy.bypass validation", () => {
    const CASES: Array<[string, unknown, string, RegExp]> = [
        ["user:password@host", [`svc:${SECRET}@proxy.corp.example`], "proxy.bypass[0]", /carries credentials/],
        ["a URL with credentials", [".ok.example", `http://svc:${SECRET}@host`], "proxy.bypass[1]", /carries credentials/],
        ["a lone *", ["*"], "proxy.bypass[0]", /would send everything around the proxy/],
        ["*.*", ["*.*"], "proxy.bypass[0]", /would send everything around the proxy/],
        ["an entry over 253 characters", [`${"a".repeat(250)}.example`], "proxy.bypass[0]", /at most 253/],
        ["more than 200 entries", Array.from({ length: 201 }, (_, i) => `h${i}.example`), "proxy.bypass", /at most 200/],
        ["more than 3584 characters in all", Array.from({ length: 180 }, (_, i) => `host-number-${i}.corp.example`), "proxy.bypass", /at most 3584/],
        ["a scheme", [`https://${SECRET}.example`], "proxy.bypass[0]", /not a host name/],
        ["a space", [`${SECRET} x`], "proxy.bypass[0]", /not a host name/],
    ];
    for (const [label, bypass, path, says] of CASES) {
        it(`refuses ${label} at ${path}, without quoting the entry`, () => {
            const problems = problemsFor(bypass);
            assert.equal(problems.length, 1, JSON.stringify(problems));
            assert.equal(problems[0].path, path);
            assert.match(problems[0].message, says);
        });
    }

    it("accepts a list at the bounds", () => {
        const entries = Array.from({ length: BYPASS_LIMITS.entries }, (_, i) => `h${i}.corp.example`);
        assert.ok(entries.join(",").length <= BYPASS_LIMITS.totalChars);
        assert.deepEqual(problemsFor(entries), []);
        assert.deepEqual(problemsFor([`${"a".repeat(245)}.example`]), []);
    });
});
