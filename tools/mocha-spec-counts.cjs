// The reporter tools/run-tests.sh gives mocha: the spec reporter's output unchanged, and the run's
// counts ("<passed> <failed>") written to $DEFENDER_TEST_COUNTS when the run ends. The runner used
// to read the counts back from the printed report, whose last "N passing" line can be a child's
// report quoted in a failure message (printed after the summary), so the sum took the child's count.
const fs = require("node:fs");
const { reporters } = require("mocha");

class SpecWithCounts extends reporters.Spec {
    constructor(runner, options) {
        super(runner, options);
        const file = process.env.DEFENDER_TEST_COUNTS;
        if (file) runner.once("end", () => fs.writeFileSync(file, `${this.stats.passes} ${this.stats.failures}\n`));
    }
}

module.exports = SpecWithCounts;
