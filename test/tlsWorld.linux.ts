// Stand-ins for Microsoft's hosts, on loopback only: a test certificate authority, one TLS
// server on port 443 and one plain-HTTP server on port 80 of an address of their own in
// 127.0.0.0/8 (so that nothing else on the machine is in the way), with a certificate whose
// names are the probe hosts. Squid's hosts_file sends those names there; nothing leaves the
// machine. Also a second CA, the "corporate" one a TLS-intercepting Squid signs with.
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CA_EXTENSIONS, openssl, selfSigned } from "./pki";
import { stopProcess } from "./squidServer";

/** The far ends and the certificates, until {@link TlsWorld.stop}. */
export interface TlsWorld {
    /** The loopback address both servers listen on (ports 443 and 80). */
    readonly address: string;
    readonly dir: string;
    /** The test CA's certificate (PEM): what a machine's trust store must hold to accept the servers. */
    readonly caPem: string;
    /** Path of a PEM with the interception CA's certificate and key, for Squid's `tls-cert=`. */
    readonly interceptionCaFile: string;
    /** Path of the test CA's certificate, for Squid's `tls_outgoing_options cafile=`. */
    readonly caFile: string;
    stop(): Promise<void>;
}

/** A random address in 127.0.0.0/8 other than 127.0.0.1 (nothing else here binds such an address's 80 and 443). */
function randomLoopback(): string {
    const octet = (): number => 2 + Math.floor(Math.random() * 250);
    return `127.${octet()}.${octet()}.${octet()}`;
}

/** Waits for the child to print "listening" (or fail). */
function ready(child: ChildProcess, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`${what} did not start: ${out}`)), 10_000);
        child.stdout?.on("data", (d: Buffer) => {
            out += d.toString();
            if (out.includes("listening")) {
                clearTimeout(timer);
                resolve();
            }
        });
        child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
        child.once("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`${what} exited (${code}): ${out}`));
        });
    });
}

/**
 * Starts the far ends for `names` (a certificate valid for all of them, signed by the test CA).
 * The servers run in a process of their own: the specs block node's event loop while a script runs.
 * With `networkOf`, they run in that process's network namespace (a booted test machine's).
 */
export async function startTlsWorld(names: string[], networkOf?: number): Promise<TlsWorld> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ds-tls-world-"));
    fs.chmodSync(dir, 0o755);
    selfSigned(dir, "ca", "/CN=defender-servers test root CA", CA_EXTENSIONS);
    selfSigned(dir, "interception", "/O=Contoso Corporate/CN=Contoso TLS Inspection CA", CA_EXTENSIONS);
    const san = [...new Set(names)].map((n) => `DNS:${n}`).join(",");
    fs.writeFileSync(path.join(dir, "leaf.ext"), `subjectAltName=${san}\nextendedKeyUsage=serverAuth\n`);
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=far-end.test", "-keyout", "leaf.key", "-out", "leaf.csr"], dir);
    openssl(
        [
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "2",
            "-extfile",
            "leaf.ext",
            "-out",
            "leaf.pem",
        ],
        dir,
    );
    const interceptionCaFile = path.join(dir, "interception-bundle.pem");
    fs.writeFileSync(
        interceptionCaFile,
        fs.readFileSync(path.join(dir, "interception.pem"), "utf8") + fs.readFileSync(path.join(dir, "interception.key"), "utf8"),
    );
    for (const f of fs.readdirSync(dir)) fs.chmodSync(path.join(dir, f), 0o644);

    const address = randomLoopback();
    const code = `
        const fs = require("fs"), https = require("https"), http = require("http");
        const answer = (req, res) => { res.writeHead(200, { "content-type": "text/plain" }); res.end("far end\\n"); };
        const tls = https.createServer({ key: fs.readFileSync(${JSON.stringify(path.join(dir, "leaf.key"))}), cert: fs.readFileSync(${JSON.stringify(path.join(dir, "leaf.pem"))}) }, answer);
        const plain = http.createServer(answer);
        let up = 0;
        const one = () => { if (++up === 2) console.log("listening"); };
        tls.listen(443, ${JSON.stringify(address)}, one);
        plain.listen(80, ${JSON.stringify(address)}, one);
    `;
    const child =
        networkOf === undefined
            ? spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "pipe"] })
            : spawn("nsenter", ["-t", String(networkOf), "-n", process.execPath, "-e", code], { stdio: ["ignore", "pipe", "pipe"] });
    try {
        await ready(child, `the far-end servers on ${address}:443 and :80`);
    } catch (error) {
        await stopProcess(child);
        fs.rmSync(dir, { recursive: true, force: true });
        throw error;
    }
    return {
        address,
        dir,
        caPem: fs.readFileSync(path.join(dir, "ca.pem"), "utf8"),
        caFile: path.join(dir, "ca.pem"),
        interceptionCaFile,
        stop: async () => {
            await stopProcess(child);
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}

/**
 * The Squid directives that make it a TLS-intercepting proxy (Debian's squid-openssl): bump
 * every CONNECT, sign a certificate for each host with the interception CA, and trust the test
 * CA towards the far end. `dbDir` is created here for the certificate generator.
 */
export function bumpDirectives(
    world: TlsWorld,
    dbDir: string,
    owner: { uid: number; gid: number },
): { portOptions: string; rules: string } {
    const certgen = "/usr/lib/squid/security_file_certgen";
    if (!fs.existsSync(certgen))
        throw new Error(`${certgen} is missing: apt-get install squid-openssl (the OpenSSL flavour of Debian's Squid has ssl_bump)`);
    const init = spawnSync(certgen, ["-c", "-s", dbDir, "-M", "4MB"], { encoding: "utf8" });
    if (init.status !== 0) throw new Error(`security_file_certgen -c failed: ${init.stderr}`);
    const chownR = (p: string): void => {
        fs.chownSync(p, owner.uid, owner.gid);
        if (fs.statSync(p).isDirectory()) for (const f of fs.readdirSync(p)) chownR(path.join(p, f));
    };
    chownR(dbDir);
    return {
        portOptions: `ssl-bump tls-cert=${world.interceptionCaFile} generate-host-certificates=on dynamic_cert_mem_cache_size=4MB`,
        rules: [
            `sslcrtd_program ${certgen} -s ${dbDir} -M 4MB`,
            "sslcrtd_children 2 startup=1 idle=1",
            `tls_outgoing_options cafile=${world.caFile}`,
            "acl bump_step1 at_step SslBump1",
            "ssl_bump peek bump_step1",
            "ssl_bump bump all",
        ].join("\n"),
    };
}
