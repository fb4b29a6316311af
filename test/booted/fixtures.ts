// What the booted specs put into a machine besides the scripts: systemd 219 stand-ins that
// refuse the options systemd 219 lacks (an emulation of its command line, not systemd 219
// itself), a way to kill a script at a chosen step, and the Arc agent's pieces that no Debian
// package provides (an extension-service unit and an azcmagent stand-in that keeps its settings
// as JSON, written with python3, which Debian's waagent package already needs).
import * as fs from "node:fs";
import * as path from "node:path";
import { assembleScript } from "../../sdk/plan/scripts";
import { SCRIPTS_SOURCE } from "../scratchRoot.linux";
import { Machine } from "./machine";

/** Where the scripts are put in the machine. */
export const SCRIPT_DIR_IN_MACHINE = "/root/ds-scripts";
/** Every refused option is appended here, so a spec can show no script ever tried one. */
export const REFUSED_LOG = "/root/ds-219-refused.log";

// The real binaries, wherever this release keeps them (/bin on Debian 11, /usr/bin on 12 and 13).
const real = (name: string): string => `$(for d in /usr/bin /bin; do [[ -x $d/${name} ]] && { echo $d/${name}; break; }; done)`;

/**
 * /usr/local/bin/systemctl and systemd-run: refuse `--value`/`-P` (systemctl show, systemd 230)
 * and `--wait`/`--pipe`/`--collect`/`-G` (systemd-run, 232-236), logging the attempt; with
 * DS_INTERRUPT_AT="systemctl daemon-reload" or "systemd-run" in the environment they SIGKILL
 * their caller instead: a script killed at that very step.
 */
function wrapper(name: string, refused: string[], interruptWhen: string): string {
    // DS_BOOTED_NO_219=1 (a diagnostic knob, never set by the suite) lets the refused options
    // through: to show what an older script does in the other classes, not only that it needs systemd 230.
    const refuse = process.env.DS_BOOTED_NO_219 === "1" ? "__none__" : refused.join(" | ");
    return `#!/bin/bash
# Booted specs only: ${name} as systemd 219 had it (options added later are refused).
for a in "$@"; do
    case $a in ${refuse}) echo "${name} $a" >>${REFUSED_LOG}; echo "${name}: unrecognized option '$a' (systemd 219 emulation)" >&2; exit 1 ;; esac
done
if [[ -n \${DS_INTERRUPT_AT:-} && \${DS_INTERRUPT_AT} == ${interruptWhen} ]]; then
    kill -KILL "$PPID"
    exit 137
fi
exec ${real(name)} "$@"
`;
}

/** Copies the assembled scripts in and installs the systemd 219 stand-ins ahead of the real tools on PATH. */
export function prepare(machine: Machine): void {
    const dir = path.join(machine.root, SCRIPT_DIR_IN_MACHINE);
    fs.mkdirSync(dir, { recursive: true });
    for (const name of fs.readdirSync(SCRIPTS_SOURCE).filter((f) => /^linux-.*\.sh$/.test(f))) {
        fs.writeFileSync(path.join(dir, name), assembleScript(fs.readFileSync(path.join(SCRIPTS_SOURCE, name), "utf8"), SCRIPTS_SOURCE), {
            mode: 0o755,
        });
    }
    const bin = path.join(machine.root, "usr/local/bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, "systemctl"), wrapper("systemctl", ["--value", "-P"], '"systemctl $1"'), { mode: 0o755 });
    fs.writeFileSync(path.join(bin, "systemd-run"), wrapper("systemd-run", ["--wait", "--pipe", "--collect", "-G"], "systemd-run"), {
        mode: 0o755,
    });
}

/** The Arc agent's extension service (a stand-in process under a real unit) and azcmagent. */
export function installArcStandIns(machine: Machine): void {
    fs.mkdirSync(path.join(machine.root, "opt/azcmagent/bin"), { recursive: true });
    fs.writeFileSync(
        path.join(machine.root, "etc/systemd/system/extd.service"),
        "[Unit]\nDescription=Azure Connected Machine Agent Extension Service (booted-spec stand-in)\n[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n",
    );
    fs.writeFileSync(
        path.join(machine.root, "opt/azcmagent/bin/azcmagent"),
        `#!/usr/bin/python3
# Booted specs only: azcmagent config list --json / set / clear, with the agent's JSON shape.
import json, os, sys
store = "/var/lib/ds-azcmagent.json"
data = json.load(open(store)) if os.path.exists(store) else {}
args = sys.argv[1:]
if args[:2] == ["config", "list"]:
    print(json.dumps({"LocalSettings": [{"Key": k, "Value": v} for k, v in data.items()]}))
elif args[:2] == ["config", "set"]:
    data[args[2]] = args[3].split(",") if args[2] == "proxy.bypass" else args[3]
    json.dump(data, open(store, "w"))
elif args[:2] == ["config", "clear"]:
    data.pop(args[2], None)
    json.dump(data, open(store, "w"))
else:
    sys.exit("azcmagent stand-in: unsupported: %s" % " ".join(args))
`,
        { mode: 0o755 },
    );
}
