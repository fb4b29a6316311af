/**
 * How the run-command scripts are assembled and read (sdk/plan/scripts.ts), on their own: a line
 * that is exactly `# @include linux/<part>.sh` becomes that part (one level, no nesting), every other
 * line stays as it is, and each script is read once per process. The contract is the file's own
 * header and docs/testing.md; the parts are written here by hand in a temporary folder.
 */
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ScriptName, assembleScript, scriptText } from "../../sdk/plan/scripts";

describe("run-command scripts (sdk/plan/scripts.ts)", () => {
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "scripts-spec-"));
        fs.mkdirSync(path.join(dir, "linux"));
        fs.writeFileSync(path.join(dir, "linux", "part-1.sh"), "p1 line a\np1 line b\n");
        fs.writeFileSync(path.join(dir, "linux", "nested.sh"), "x\n# @include linux/part-1.sh\n");
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("replaces an include line by the part, without the part's final newline, and keeps every other line", () => {
        assert.equal(
            assembleScript("#!/bin/bash\n# @include linux/part-1.sh\necho done\n", dir),
            "#!/bin/bash\np1 line a\np1 line b\necho done\n",
        );
    });

    it("only a whole line of the exact form includes: no indent, no trailing text, a linux/ part of lower-case letters, digits and hyphens, .sh", () => {
        for (const line of [
            "  # @include linux/part-1.sh",
            "# @include linux/part-1.sh # why",
            "x# @include linux/part-1.sh",
            "# @include windows/part-1.sh",
            "# @include linux/Part-1.sh",
            "# @include linux/part-1.shx",
            "# @include linux/part-1xsh",
            "# @include linux/.sh",
            "# @include linux/part_1.sh",
            "#  @include linux/part-1.sh",
            "# @include  linux/part-1.sh",
        ]) {
            assert.equal(assembleScript(line, dir), line, line);
        }
    });

    it("refuses a part that includes another, naming it; a missing part fails too", () => {
        assert.throws(
            () => assembleScript("# @include linux/nested.sh", dir),
            (e: Error) => e.message === "scripts: linux/nested.sh includes another part; parts do not nest",
        );
        assert.throws(() => assembleScript("# @include linux/absent.sh", dir), /ENOENT/);
    });

    it("by default reads the parts from sdk/scripts", () => {
        const common = fs.readFileSync(path.join(__dirname, "..", "..", "sdk", "scripts", "linux", "common.sh"), "utf8");
        assert.equal(assembleScript("# @include linux/common.sh"), common.replace(/\n$/, ""));
    });

    it("gives each script's assembled text, read from disk once per process", () => {
        const names: ScriptName[] = [
            "linux-os-proxy.sh",
            "linux-arc-agent-proxy.sh",
            "windows-os-proxy.ps1",
            "windows-arc-agent-proxy.ps1",
        ];
        const first = names.map((name) => scriptText(name));
        names.forEach((name, i) => {
            const raw = fs.readFileSync(path.join(__dirname, "..", "..", "sdk", "scripts", name), "utf8");
            assert.equal(first[i], assembleScript(raw), name);
        });
        // Count reads on Node's own fs module (this file's `fs` is a read-only namespace view of it).
        const nodeFs = process.getBuiltinModule("node:fs");
        const read = nodeFs.readFileSync;
        let reads = 0;
        nodeFs.readFileSync = ((...args: Parameters<typeof read>) => {
            reads++;
            return read(...args);
        }) as typeof read;
        try {
            assert.deepEqual(
                names.map((name) => scriptText(name)),
                first,
            );
        } finally {
            nodeFs.readFileSync = read;
        }
        assert.equal(reads, 0);
    });

    it("reads a script from another folder once, assembled with that folder's parts", () => {
        // A folder of its own each time, so the read is a first one however often this runs in one process.
        const own = fs.mkdtempSync(path.join(dir, "own-"));
        fs.mkdirSync(path.join(own, "linux"));
        fs.writeFileSync(path.join(own, "linux", "part-1.sh"), "own part\n");
        fs.writeFileSync(path.join(own, "linux-os-proxy.sh"), "#!/bin/bash\n# @include linux/part-1.sh\necho ok\n");
        const nodeFs = process.getBuiltinModule("node:fs");
        const read = nodeFs.readFileSync;
        const files: string[] = [];
        nodeFs.readFileSync = ((...args: Parameters<typeof read>) => {
            files.push(path.relative(own, String(args[0])));
            return read(...args);
        }) as typeof read;
        let texts: string[];
        try {
            texts = [scriptText("linux-os-proxy.sh", own), scriptText("linux-os-proxy.sh", own)];
        } finally {
            nodeFs.readFileSync = read;
        }
        assert.deepEqual(texts, ["#!/bin/bash\nown part\necho ok\n", "#!/bin/bash\nown part\necho ok\n"]);
        assert.deepEqual(files, ["linux-os-proxy.sh", path.join("linux", "part-1.sh")]);
    });
});
