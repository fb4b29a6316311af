// Where the Windows test tools are: the paths tools/env.sh exports, with the same defaults when
// the variables are unset. A module of its own so that specs can use it without importing (and
// so registering) another spec's tests.
import * as os from "node:os";
import * as path from "node:path";

/** pwsh and the Pester 6.2.0 module. */
export function windowsTestTools(env: NodeJS.ProcessEnv = process.env): { pwsh: string; pesterModule: string } {
    const tools = env.DEFENDER_TOOLS || path.join(env.HOME || os.homedir(), ".cache", "defender-servers-tools");
    return {
        pwsh: env.PWSH || path.join(tools, "dotnet-tools", "pwsh"),
        pesterModule: env.PESTER_MODULE || path.join(tools, "nuget", "pester", "6.2.0", "tools", "Pester.psd1"),
    };
}
