/**
 * The test certificates the TLS specs make with openssl: a self-signed certificate (a test root
 * CA, an interceptor's CA, or a loopback server's own) in a scratch directory. One place, so the
 * route-check specs (Linux and Windows) and the verify CLI's stand-in Azure make them alike.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";

/** What makes a certificate a CA that signs server certificates (basicConstraints, keyUsage). */
export const CA_EXTENSIONS = ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"];

/** Runs openssl in `cwd`; throws with its stderr when it fails. */
export function openssl(args: string[], cwd: string): void {
    const run = spawnSync("openssl", args, { cwd, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${run.stderr}${run.error?.message ?? ""}`);
}

/**
 * A self-signed certificate valid for two days, written to `dir` as `<name>.key` and `<name>.pem`
 * (RSA 2048, no passphrase), with `subject` and each `-addext` extension; returns the two paths.
 */
export function selfSigned(dir: string, name: string, subject: string, extensions: string[]): { keyFile: string; certFile: string } {
    openssl(
        [
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            subject,
            "-keyout",
            `${name}.key`,
            "-out",
            `${name}.pem`,
        ].concat(extensions.flatMap((extension) => ["-addext", extension])),
        dir,
    );
    return { keyFile: path.join(dir, `${name}.key`), certFile: path.join(dir, `${name}.pem`) };
}
