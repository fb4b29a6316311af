/**
 * The field readers of sdk/validate (fields.ts, location.ts, problems.ts) one by one, for the
 * cases the specs that go through validate() left open (surviving mutants of `npm run
 * mutation`, docs/testing.md). Each expectation is the reader's documented contract: a wrong
 * value is reported at its path, naming what it got and what to write instead.
 */
import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import {
    describe as describeValue,
    isInput,
    isObject,
    readBoolean,
    readChoice,
    readInput,
    readObject,
    readRequiredString,
    readStringMap,
    rejectUnknownKeys,
} from "../sdk/validate/fields";
import { readLocation } from "../sdk/validate/location";
import { ProblemList, ValidationError } from "../sdk/validate/problems";

/** Runs one reader on a fresh problem list: what it returned and the `path: message` lines it reported. */
function read<T>(reader: (problems: ProblemList) => T): { value: T; errors: string[] } {
    const problems = new ProblemList();
    const value = reader(problems);
    assert.deepEqual(problems.warnings, [], "readers report errors, not warnings");
    return { value, errors: problems.errors.map((p) => `${p.path}: ${p.message}`) };
}

describe("validation field readers (sdk/validate/fields.ts)", () => {
    it("names a value by its kind, a string quoted", () => {
        assert.deepEqual([null, [1], "x", 5, true, {}, undefined, BigInt(1)].map(describeValue), [
            "null",
            "a list",
            '"x"',
            "a number",
            "a boolean",
            "a object",
            "a undefined",
            "a bigint",
        ]);
    });

    it("a plain object is an object; a list, null and scalars are not", () => {
        assert.deepEqual([{}, { a: 1 }, Object.create(null), [], null, "x", 1, undefined].map(isObject), [
            true,
            true,
            true,
            false,
            false,
            false,
            false,
            false,
        ]);
    });

    it("an Input<string> is a string, an Output or a promise; nothing else", () => {
        const accepted = ["x", "", pulumi.output("x"), Promise.resolve("x"), { then: () => undefined }];
        const refused = [1, true, {}, [], null, undefined, { then: "not a function" }];
        assert.deepEqual(
            accepted.map(isInput),
            accepted.map(() => true),
        );
        assert.deepEqual(
            refused.map(isInput),
            refused.map(() => false),
        );
    });

    it("readInput: absent or empty is undefined with no problem; a non-string is reported with what it is for", () => {
        assert.deepEqual(
            read((p) => readInput(p, undefined, "proxy.password", "the proxy password")),
            { value: undefined, errors: [] },
        );
        assert.deepEqual(
            read((p) => readInput(p, "", "proxy.password", "the proxy password")),
            { value: undefined, errors: [] },
        );
        assert.deepEqual(
            read((p) => readInput(p, "s3cret", "proxy.password", "the proxy password")),
            { value: "s3cret", errors: [] },
        );
        assert.deepEqual(
            read((p) => readInput(p, 42, "proxy.password", "the proxy password")),
            {
                value: undefined,
                errors: ["proxy.password: expected a string or an Output of one (the proxy password), got a number"],
            },
        );
    });

    it("readObject: plain objects (also without a prototype) pass; a list, a Map or a scalar is reported", () => {
        const bare = Object.create(null);
        assert.equal(read((p) => readObject(p, bare, "proxy")).value, bare);
        assert.deepEqual(
            read((p) => readObject(p, undefined, "proxy")),
            { value: undefined, errors: [] },
        );
        for (const [given, kind] of [
            [[], "a list"],
            [new Map(), "a object"],
            [new Date(0), "a object"],
            ["http://proxy:3128", '"http://proxy:3128"'],
        ] as const) {
            assert.deepEqual(
                read((p) => readObject(p, given, "proxy")),
                { value: undefined, errors: [`proxy: expected an object, got ${kind}`] },
            );
        }
    });

    it("readBoolean: the fallback when absent or wrong, the wrong value reported", () => {
        assert.deepEqual(
            read((p) => readBoolean(p, undefined, "airGapped", true)),
            { value: true, errors: [] },
        );
        assert.deepEqual(
            read((p) => readBoolean(p, false, "airGapped", true)),
            { value: false, errors: [] },
        );
        assert.deepEqual(
            read((p) => readBoolean(p, "false", "airGapped", true)),
            {
                value: true,
                errors: ['airGapped: expected true or false, got "false"'],
            },
        );
    });

    it("readRequiredString: missing, null and empty are 'required'; a non-string says what it got; both give the hint", () => {
        for (const missing of [undefined, null, ""]) {
            assert.deepEqual(
                read((p) => readRequiredString(p, missing, "location", "e.g. westeurope")),
                {
                    value: undefined,
                    errors: ["location: is required; e.g. westeurope"],
                },
            );
        }
        assert.deepEqual(
            read((p) => readRequiredString(p, 7, "location", "e.g. westeurope")),
            {
                value: undefined,
                errors: ["location: expected a string, got a number; e.g. westeurope"],
            },
        );
        assert.deepEqual(read((p) => readRequiredString(p, "westeurope", "location", "e.g. westeurope")).value, "westeurope");
    });

    it("readChoice: a case slip is pointed at the right spelling; anything else lists the choices", () => {
        const allowed = ["standard", "streamlined"] as const;
        assert.deepEqual(
            read((p) => readChoice(p, undefined, "c", allowed, "standard")),
            { value: "standard", errors: [] },
        );
        assert.deepEqual(
            read((p) => readChoice(p, "streamlined", "c", allowed, "standard")),
            { value: "streamlined", errors: [] },
        );
        assert.deepEqual(
            read((p) => readChoice(p, "Streamlined", "c", allowed, "standard")),
            {
                value: "standard",
                errors: ['c: "Streamlined" is not allowed; did you mean "streamlined"?'],
            },
        );
        assert.deepEqual(read((p) => readChoice(p, 3, "c", allowed, "standard")).errors, [
            'c: a number is not allowed; use one of "standard", "streamlined"',
        ]);
        assert.deepEqual(read((p) => readChoice(p, "other", "c", allowed, "standard")).errors, [
            'c: "other" is not allowed; use one of "standard", "streamlined"',
        ]);
    });

    it("readStringMap: keeps the string entries, reports each other one at its own path", () => {
        assert.deepEqual(
            read((p) => readStringMap(p, undefined, "tags")),
            { value: {}, errors: [] },
        );
        assert.deepEqual(
            read((p) => readStringMap(p, { env: "prod", owner: 3, team: "sec" }, "tags")),
            {
                value: { env: "prod", team: "sec" },
                errors: ["tags.owner: expected a string value, got a number"],
            },
        );
        assert.deepEqual(
            read((p) => readStringMap(p, ["env"], "tags")),
            { value: {}, errors: ["tags: expected a map of tag name to value, got a list"] },
        );
    });

    it("rejectUnknownKeys: a case slip suggests the field, anything else lists the known ones; absent values and known keys pass", () => {
        const known = ["proxy", "machines"];
        const errors = (fields: Record<string, unknown>, path: string) => read((p) => rejectUnknownKeys(p, fields, path, known)).errors;
        assert.deepEqual(errors({ proxy: {}, machines: [], extra: undefined }, ""), []);
        assert.deepEqual(errors({ Proxy: {} }, ""), ['Proxy: is not a known field; did you mean "proxy"?']);
        assert.deepEqual(errors({ proxies: {} }, "logs"), ["logs.proxies: is not a known field; known fields: proxy, machines"]);
        assert.deepEqual(errors({ " ": 1 }, "logs"), ['logs." ": is not a known field; known fields: proxy, machines']);
        assert.deepEqual(errors({ "": 1 }, ""), ['"": is not a known field; known fields: proxy, machines']);
    });
});

describe("region names (sdk/validate/location.ts)", () => {
    it("a display name or a dashed/underscored name is pointed at ARM's spelling", () => {
        for (const given of ["West Europe", "west-europe", "West_Europe", "west - europe"]) {
            assert.deepEqual(
                read((p) => readLocation(p, given, "location", "AzureCloud")),
                {
                    value: undefined,
                    errors: [`location: "${given}" is not a region name; use "westeurope"`],
                },
            );
        }
    });

    it("a name that squashing cannot fix, or none, gets the general hint; each cloud keeps its own regions", () => {
        const [unknown] = read((p) => readLocation(p, "eu!", "location", "AzureCloud")).errors;
        assert.match(unknown, /^location: "eu!" is not a region of AzureCloud in Microsoft's published region list/);
        assert.match(unknown, /az account list-locations/);
        assert.deepEqual(read((p) => readLocation(p, undefined, "location", "AzureCloud")).errors.length, 1);
        assert.match(
            read((p) => readLocation(p, undefined, "location", "AzureCloud")).errors[0],
            /^location: is required; give the region as ARM spells it/,
        );
        assert.deepEqual(
            read((p) => readLocation(p, "usgovvirginia", "location", "AzureUSGovernment")),
            { value: "usgovvirginia", errors: [] },
        );
        assert.match(
            read((p) => readLocation(p, "usgovvirginia", "location", "AzureCloud")).errors[0],
            /is a region of AzureUSGovernment, and cloud is AzureCloud/,
        );
    });
});

describe("problem lists (sdk/validate/problems.ts)", () => {
    it("warnings are kept apart from errors and do not throw", () => {
        const problems = new ProblemList();
        assert.deepEqual([problems.errors, problems.warnings], [[], []]);
        problems.warn("logs.legacyAgent", "is retired");
        assert.deepEqual(problems.warnings, [{ path: "logs.legacyAgent", message: "is retired" }]);
        assert.deepEqual(problems.errors, []);
        problems.throwIfAny();
    });

    it("the error lists every problem, one per line, with their count, under its own name", () => {
        const problems = new ProblemList();
        problems.error("location", "is required");
        problems.error("proxy.address", "expected a URL");
        assert.throws(
            () => problems.throwIfAny(),
            (err: unknown) => {
                assert.ok(err instanceof ValidationError);
                assert.equal(err.name, "ValidationError");
                assert.equal(
                    err.message,
                    "DefenderForServersNetworkRestricted: invalid arguments (2):\n  - location: is required\n  - proxy.address: expected a URL",
                );
                assert.deepEqual(err.problems, problems.errors);
                return true;
            },
        );
    });
});
