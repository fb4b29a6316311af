/**
 * Defender for Endpoint's hosts, as Microsoft's published URL lists give them, per
 * connectivity method and per MDE data location. Rows the lists mark "Optional" for features
 * the component does not use (live response push notifications, the network scanner, security
 * settings management, Windows 10 1703 telemetry) are left out and named in `egressNotes`.
 *
 * Sources (MicrosoftDocs/defender-docs, read December 2026):
 * - STANDARD: `defender-endpoint/standard-device-connectivity-urls-commercial.md`
 *   (https://learn.microsoft.com/defender-endpoint/standard-device-connectivity-urls-commercial, changelog
 *   up to 06/02/2026), the page form of `mde-urls-commercial.xlsx` that `configure-environment.md` links.
 * - STANDARD_GOV: `defender-endpoint/standard-device-connectivity-urls-gov.md` (`mde-urls-gov.xlsx`).
 * - STREAMLINED: `defender-endpoint/streamlined-device-connectivity-urls-commercial.md` and
 *   `configure-device-connectivity.md` (prerequisites, "Traffic inspection is not supported").
 * - STREAMLINED_GOV: `defender-endpoint/streamlined-device-connectivity-urls-gov.md`.
 *
 * The geography of a row is the MDE tenant's data location, "the geo-location of the tenant as identified
 * during provisioning" (`defender-endpoint/data-storage-privacy.md`; `defender-for-cloud/integration-defender-for-endpoint.md`:
 * "Defender for Endpoint stores collected data in the tenant's geo-location as identified during provisioning").
 * It is not the machines' Azure region, so no region is mapped to a geography here: the data location is an
 * argument, and when it is unknown every documented location is listed.
 *
 * Every MDE row has `tlsInspection: false`: "Service connections use certificate pinning and TLS. Traffic
 * inspection is not supported" (configure-device-connectivity.md); "If a proxy or firewall has HTTPS scanning
 * (SSL inspection) enabled, exclude the domains listed ... from HTTPS scanning" (configure-environment.md).
 */
import { EgressWhen } from "./types";

/** One row of a Microsoft list, before it becomes an `EgressEndpoint`. */
export interface HostRow {
    host: string;
    /** Default 443; 80 means plain HTTP. */
    port?: number;
    why: string;
    /** Only this operating system reaches it; both when unset. */
    os?: "windows" | "linux";
    /** Default `always`. */
    when?: EgressWhen;
    /** A concrete host for a wildcard row, documented where the comment beside it says. */
    probe?: string;
    /** Service tag Microsoft names for it. */
    tag?: string;
}

/** MDE data locations the standard lists name hosts for, per MDE environment. */
export const MDE_COMMERCIAL_LOCATIONS = ["US", "EU", "UK", "AU"] as const;
export const MDE_GOVERNMENT_LOCATIONS = ["GCC", "GCCHigh", "DoD"] as const;

/**
 * Data locations Defender for Endpoint has (data-storage-privacy.md: "European Union, the United Kingdom, the
 * United States, Australia, Switzerland, or India"; the 2026 standard list adds UAE gateways) for which the standard
 * list does not give the full set of hosts. Refused, with the reason, rather than guessed.
 */
export const MDE_LOCATIONS_WITHOUT_STANDARD_HOSTS: Record<string, string> = {
    CH: "Microsoft's standard URL list names no Defender for Endpoint hosts for the Switzerland data location",
    IN: "Microsoft's standard URL list names no Defender for Endpoint hosts for the India data location",
    UAE: "Microsoft's standard URL list names only command-and-control and AutoIR storage hosts for UAE (added 03/26/2026), no cyber-data, antivirus or sample-submission hosts",
};

const CRL = "Certificate revocation list (plain HTTP): Windows validates the TLS certificates of MAPS with it";
const MAPS = "Defender Antivirus cloud-delivered protection (MAPS)";
const CNC = "Defender for Endpoint command and control";
const CYBER = "Defender for Endpoint EDR cyber data";
const AUTOIR = "Defender for Endpoint AutoIR sample storage";
const SAMPLES = "Malware sample submission storage";
const AV_CLOUD = "Defender Antivirus cloud-delivered protection and security intelligence updates (Linux)";
const VORTEX = "EDR cyber data for Windows Server 2016 and 2012 R2 (not needed on 2019 and later)";
const WU =
    "Security intelligence and product updates through Microsoft/Windows Update (not needed when updates come from WSUS, ConfigMgr or a file share)";
const ADL =
    "Alternate download location for security intelligence updates (not needed when updates come from WSUS, ConfigMgr or a file share)";
const SI = "Security intelligence and platform updates (Linux reads them here first)";
const SMARTSCREEN = "SmartScreen and network protection, custom URL indicators";

/**
 * The streamlined domain. Probe: `mdav.us.endpoint.security.microsoft.com`, the example migrate-devices-streamlined.md
 * gives for `mdatp connectivity test` ("For example: https://mdav.us.endpoint.security.microsoft.com/storage").
 * Service tags: configure-device-connectivity.md, "MicrosoftDefenderForEndpoint" (the EDR cyber data channel is
 * `OneDsCollector`, needed beside it when filtering by address).
 */
const STREAMLINED_COMMERCIAL_DOMAIN: HostRow = {
    host: "*.endpoint.security.microsoft.com",
    why: "Consolidated Defender for Endpoint services (streamlined connectivity, and new services in either method)",
    probe: "mdav.us.endpoint.security.microsoft.com",
    tag: "MicrosoftDefenderForEndpoint",
};

/** Microsoft documents no concrete host under the Government domain, so it has no probe. */
const STREAMLINED_GOVERNMENT_DOMAIN: HostRow = {
    host: "*.endpoint.security.microsoft.us",
    why: "Consolidated Defender for Endpoint services (streamlined connectivity, US Government)",
    tag: "MicrosoftDefenderForEndpoint",
};

/** The Windows update rows, the same in both methods and both environments (the lists' "MU / WU" and "MU (ADL)" rows). */
const WINDOWS_UPDATE_ROWS: HostRow[] = [
    { host: "*.update.microsoft.com", why: WU, os: "windows" },
    // fe3cr.delivery.mp.microsoft.com is named by the same lists (ADL row, /ClientWebService/client.asmx).
    { host: "*.delivery.mp.microsoft.com", why: WU, os: "windows", probe: "fe3cr.delivery.mp.microsoft.com" },
    { host: "*.windowsupdate.com", why: WU, os: "windows" },
    { host: "*.download.windowsupdate.com", why: ADL, os: "windows" },
    { host: "*.download.microsoft.com", why: ADL, os: "windows" },
];

/** Linux installs and upgrades `mdatp` from Microsoft's repository (every list; `linux-install-manually.md`). */
const LINUX_PACKAGES: HostRow = {
    host: "packages.microsoft.com",
    why: "Defender for Endpoint on Linux installs and upgrades mdatp from this repository",
    os: "linux",
    when: "install",
};

/** Standard list, commercial, rows whose geography is WW. */
const STANDARD_COMMERCIAL_WW: HostRow[] = [
    { host: "crl.microsoft.com", port: 80, why: CRL },
    {
        host: "ctldl.windowsupdate.com",
        port: 80,
        why: "Certificate trust list updates (plain HTTP): flags compromised certificates",
        os: "windows",
    },
    // Paths /pkiops/* and /pki/*: a host-level rule is the finest a CONNECT-less plain-HTTP allowlist by name needs.
    { host: "www.microsoft.com", port: 80, why: `${CRL} (/pkiops/, /pki/)` },
    { host: "events.data.microsoft.com", why: "Connected User Experiences and Telemetry, which the sensor reports through" },
    { host: "x.cp.wd.microsoft.com", why: AV_CLOUD, os: "linux" },
    {
        host: "cdn.x.cp.wd.microsoft.com",
        why: "Defender Antivirus content delivery network: security intelligence updates (Linux)",
        os: "linux",
    },
    LINUX_PACKAGES,
    { host: "go.microsoft.com", why: SI },
    { host: "definitionupdates.microsoft.com", why: SI },
    // https://www.microsoft.com/security/encyclopedia/adlpackages.aspx
    { host: "www.microsoft.com", why: `${SI} (/security/encyclopedia/adlpackages.aspx)` },
    ...WINDOWS_UPDATE_ROWS,
    // *.wd.microsoft.com covers x.cp.wd.microsoft.com, a host the same list names.
    { host: "*.wdcp.microsoft.com", why: MAPS },
    { host: "*.wd.microsoft.com", why: MAPS, probe: "x.cp.wd.microsoft.com" },
    // us-v20.events.data.microsoft.com is named by the same list (US cyber data).
    {
        host: "*.events.data.microsoft.com",
        why: "Defender Core service diagnostic telemetry",
        os: "windows",
        probe: "us-v20.events.data.microsoft.com",
    },
    // The list writes *.ecs.office.com/config/v1/MicrosoftWindowsDefenderClient and names no concrete host.
    { host: "*.ecs.office.com", why: "Defender Core service feature configuration (ECS)", os: "windows" },
    { host: "*.smartscreen-prod.microsoft.com", why: SMARTSCREEN },
    { host: "*.smartscreen.microsoft.com", why: SMARTSCREEN },
    STREAMLINED_COMMERCIAL_DOMAIN,
];

/** Standard list, commercial, per data location. The `ws...prod` sample accounts are Windows only in the list. */
const STANDARD_COMMERCIAL_GEO: Record<(typeof MDE_COMMERCIAL_LOCATIONS)[number], HostRow[]> = {
    US: [
        { host: "unitedstates.x.cp.wd.microsoft.com", why: AV_CLOUD, os: "linux" },
        { host: "us.vortex-win.data.microsoft.com", why: VORTEX, os: "windows" },
        { host: "us-v20.events.data.microsoft.com", why: CYBER },
        ...["cus", "eus", "cus3", "eus3"].map((g) => ({ host: `winatp-gw-${g}.microsoft.com`, why: CNC })),
        ...["cus", "eus", "cus3", "eus3"].map((g) => ({ host: `automatedirstrprd${g}.blob.core.windows.net`, why: AUTOIR })),
        ...["1", "2", "3", "4"].flatMap((n) => [
            { host: `ussus${n}eastprod.blob.core.windows.net`, why: SAMPLES },
            { host: `ussus${n}westprod.blob.core.windows.net`, why: SAMPLES },
        ]),
        ...["1", "2"].flatMap((n): HostRow[] => [
            { host: `wsus${n}eastprod.blob.core.windows.net`, why: SAMPLES, os: "windows" },
            { host: `wsus${n}westprod.blob.core.windows.net`, why: SAMPLES, os: "windows" },
        ]),
    ],
    EU: [
        { host: "europe.x.cp.wd.microsoft.com", why: AV_CLOUD, os: "linux" },
        { host: "eu.vortex-win.data.microsoft.com", why: VORTEX, os: "windows" },
        { host: "eu-v20.events.data.microsoft.com", why: CYBER },
        ...["neu", "weu", "neu3", "weu3"].map((g) => ({ host: `winatp-gw-${g}.microsoft.com`, why: CNC })),
        ...["neu", "weu", "neu3", "weu3"].map((g) => ({ host: `automatedirstrprd${g}.blob.core.windows.net`, why: AUTOIR })),
        { host: "usseu1northprod.blob.core.windows.net", why: SAMPLES },
        { host: "wseu1northprod.blob.core.windows.net", why: SAMPLES, os: "windows" },
        { host: "usseu1westprod.blob.core.windows.net", why: SAMPLES },
        { host: "wseu1westprod.blob.core.windows.net", why: SAMPLES, os: "windows" },
    ],
    UK: [
        { host: "unitedkingdom.x.cp.wd.microsoft.com", why: AV_CLOUD, os: "linux" },
        { host: "uk.vortex-win.data.microsoft.com", why: VORTEX, os: "windows" },
        { host: "uk-v20.events.data.microsoft.com", why: CYBER },
        ...["uks", "ukw"].map((g) => ({ host: `winatp-gw-${g}.microsoft.com`, why: CNC })),
        ...["uks", "ukw"].map((g) => ({ host: `automatedirstrprd${g}.blob.core.windows.net`, why: AUTOIR })),
        { host: "ussuk1southprod.blob.core.windows.net", why: SAMPLES },
        { host: "wsuk1southprod.blob.core.windows.net", why: SAMPLES, os: "windows" },
        { host: "ussuk1westprod.blob.core.windows.net", why: SAMPLES },
        { host: "wsuk1westprod.blob.core.windows.net", why: SAMPLES, os: "windows" },
    ],
    // The 2026 list also files automatedirstrprdaen0a/aec0a under "AU", but its changelog (03/26/2026) calls them the
    // UAE North/Central URLs, as their names say: they are not listed for Australia.
    AU: [
        { host: "australia.x.cp.wd.microsoft.com", why: AV_CLOUD, os: "linux" },
        { host: "au.vortex-win.data.microsoft.com", why: VORTEX, os: "windows" },
        { host: "au-v20.events.data.microsoft.com", why: CYBER },
        ...["aue", "aus"].map((g) => ({ host: `winatp-gw-${g}.microsoft.com`, why: CNC })),
        ...["aue", "aus"].map((g) => ({ host: `automatedirstrprd${g}.blob.core.windows.net`, why: AUTOIR })),
        { host: "ussau1southeastprod.blob.core.windows.net", why: SAMPLES, os: "windows" },
        { host: "ussau1eastprod.blob.core.windows.net", why: SAMPLES, os: "windows" },
    ],
};

/** Standard list, US Government, rows for every Government environment ("US Gov"). */
const STANDARD_GOVERNMENT_ALL: HostRow[] = [
    { host: "crl.microsoft.com", port: 80, why: `${CRL} (/pki/crl/)` },
    {
        host: "ctldl.windowsupdate.com",
        port: 80,
        why: "Certificate trust list updates (plain HTTP): flags compromised certificates",
        os: "windows",
    },
    { host: "www.microsoft.com", port: 80, why: `${CRL} (/pkiops/, /pki/certs)` },
    { host: "events.data.microsoft.com", why: "Connected User Experiences and Telemetry, which the sensor reports through" },
    {
        host: "cdn.x.cp.wd.microsoft.com",
        why: "Defender Antivirus content delivery network: security intelligence updates (Linux)",
        os: "linux",
    },
    LINUX_PACKAGES,
    ...WINDOWS_UPDATE_ROWS,
    // The Government standard list names the commercial streamlined domain (geography WW) for future services.
    STREAMLINED_COMMERCIAL_DOMAIN,
];

/** Standard list, US Government, per environment. */
const STANDARD_GOVERNMENT_GEO: Record<(typeof MDE_GOVERNMENT_LOCATIONS)[number], HostRow[]> = {
    GCC: [
        { host: "unitedstates4.x.cp.wd.microsoft.us", why: AV_CLOUD },
        { host: "us4-v20.events.data.microsoft.com", why: CYBER },
        { host: "winatp-gw-usmt.microsoft.com", why: CNC },
        { host: "winatp-gw-usmv.microsoft.com", why: CNC },
        { host: "automatedirstrfmusmt.blob.core.usgovcloudapi.net", why: AUTOIR },
        { host: "automatedirstrfmusmv.blob.core.usgovcloudapi.net", why: AUTOIR },
        ...["virginia", "texas"].flatMap((s): HostRow[] => [
            { host: `ussusg1${s}ff4.blob.core.usgovcloudapi.net`, why: SAMPLES },
            { host: `ussusg2${s}ff4.blob.core.usgovcloudapi.net`, why: SAMPLES },
            { host: `wsusg1${s}ff4.blob.core.usgovcloudapi.net`, why: SAMPLES, os: "windows" },
        ]),
        { host: "unitedstates4.cp.wd.microsoft.us", why: MAPS, os: "windows" },
        { host: "unitedstates4.ss.wd.microsoft.us", why: SMARTSCREEN },
    ],
    GCCHigh: [
        { host: "unitedstates1.x.cp.wd.microsoft.us", why: AV_CLOUD },
        { host: "us4-v20.events.data.microsoft.com", why: CYBER },
        { host: "winatp-gw-usgt.microsoft.com", why: CNC },
        { host: "automatedirstrffusgv.blob.core.usgovcloudapi.net", why: AUTOIR },
        ...["virginia", "texas"].flatMap((s): HostRow[] => [
            { host: `ussusg1${s}ff0.blob.core.usgovcloudapi.net`, why: SAMPLES },
            { host: `ussusg2${s}ff0.blob.core.usgovcloudapi.net`, why: SAMPLES },
            { host: `wsusg1${s}ff0.blob.core.usgovcloudapi.net`, why: SAMPLES, os: "windows" },
        ]),
        { host: "unitedstates1.cp.wd.microsoft.us", why: MAPS, os: "windows" },
        { host: "unitedstates1.ss.wd.microsoft.us", why: SMARTSCREEN },
    ],
    DoD: [
        { host: "unitedstates2.x.cp.wd.microsoft.us", why: AV_CLOUD },
        { host: "us4-v20.events.data.microsoft.com", why: CYBER },
        { host: "winatp-gw-usgt.microsoft.com", why: CNC },
        { host: "winatp-gw-usgv.microsoft.com", why: CNC },
        { host: "automatedirstrffusgt.blob.core.usgovcloudapi.net", why: AUTOIR },
        { host: "automatedirstrffusgv.blob.core.usgovcloudapi.net", why: AUTOIR },
        { host: "ussusd1centralff5.blob.core.usgovcloudapi.net", why: SAMPLES },
        { host: "ussusd2centralff5.blob.core.usgovcloudapi.net", why: SAMPLES },
        { host: "wsusd1eastff5.blob.core.usgovcloudapi.net", why: SAMPLES, os: "windows" },
        { host: "unitedstates2.cp.wd.microsoft.us", why: MAPS, os: "windows" },
        { host: "unitedstates2.ss.wd.microsoft.us", why: SMARTSCREEN },
    ],
};

/** Streamlined list, commercial: the consolidated domain plus what Microsoft keeps outside it. */
const STREAMLINED_COMMERCIAL: HostRow[] = [
    STREAMLINED_COMMERCIAL_DOMAIN,
    { host: "*.smartscreen-prod.microsoft.com", why: SMARTSCREEN },
    { host: "*.smartscreen.microsoft.com", why: SMARTSCREEN },
    LINUX_PACKAGES,
    { host: "go.microsoft.com", why: SI },
    { host: "definitionupdates.microsoft.com", why: SI },
    { host: "www.microsoft.com", why: `${SI} (/security/encyclopedia/adlpackages.aspx)` },
    ...WINDOWS_UPDATE_ROWS,
    // The streamlined list files its certificate validation rows under OS "Windows".
    { host: "www.microsoft.com", port: 80, why: `${CRL} (/pkiops/, /pki/)`, os: "windows" },
    {
        host: "ctldl.windowsupdate.com",
        port: 80,
        why: "Certificate trust list updates (plain HTTP): flags compromised certificates",
        os: "windows",
    },
    { host: "crl.microsoft.com", port: 80, why: CRL, os: "windows" },
];

/** Streamlined list, US Government. */
const STREAMLINED_GOVERNMENT_ALL: HostRow[] = [
    STREAMLINED_GOVERNMENT_DOMAIN,
    ...WINDOWS_UPDATE_ROWS,
    { host: "crl.microsoft.com", port: 80, why: `${CRL} (/pki/crl/)` },
    {
        host: "ctldl.windowsupdate.com",
        port: 80,
        why: "Certificate trust list updates (plain HTTP): flags compromised certificates",
        os: "windows",
    },
    { host: "www.microsoft.com", port: 80, why: `${CRL} (/pkiops/, /pki/certs)` },
    LINUX_PACKAGES,
];

const STREAMLINED_GOVERNMENT_GEO: Record<(typeof MDE_GOVERNMENT_LOCATIONS)[number], HostRow[]> = {
    GCC: [{ host: "unitedstates4.ss.wd.microsoft.us", why: SMARTSCREEN }],
    GCCHigh: [{ host: "unitedstates1.ss.wd.microsoft.us", why: SMARTSCREEN }],
    DoD: [{ host: "unitedstates2.ss.wd.microsoft.us", why: SMARTSCREEN }],
};

/** Whether an MDE data location belongs to the US Government environment. */
export function isGovernmentLocation(location: string): boolean {
    return (MDE_GOVERNMENT_LOCATIONS as readonly string[]).includes(location);
}

/**
 * The MDE rows for a connectivity method and data location. `government` picks the environment when the location
 * is unknown (then every location of that environment is listed). Throws for a location whose rows a list needs and
 * does not give (the commercial streamlined list is the same for every location, so it needs none).
 */
export function mdeHostRows(connectivity: "standard" | "streamlined", government: boolean, dataLocation?: string): HostRow[] {
    const gov = dataLocation === undefined ? government : isGovernmentLocation(dataLocation);
    const locations: string[] =
        dataLocation !== undefined ? [dataLocation] : gov ? [...MDE_GOVERNMENT_LOCATIONS] : [...MDE_COMMERCIAL_LOCATIONS];
    const perLocation = (table: Record<string, HostRow[]>): HostRow[] =>
        locations.flatMap((l) => {
            const rows = table[l];
            if (rows === undefined) {
                throw new Error(
                    `egress: ${MDE_LOCATIONS_WITHOUT_STANDARD_HOSTS[l] ?? `"${l}" is not a Defender for Endpoint data location the URL lists cover`}`,
                );
            }
            return rows;
        });
    if (connectivity === "streamlined") {
        return gov ? [...STREAMLINED_GOVERNMENT_ALL, ...perLocation(STREAMLINED_GOVERNMENT_GEO)] : [...STREAMLINED_COMMERCIAL];
    }
    return gov
        ? [...STANDARD_GOVERNMENT_ALL, ...perLocation(STANDARD_GOVERNMENT_GEO)]
        : [...STANDARD_COMMERCIAL_WW, ...perLocation(STANDARD_COMMERCIAL_GEO)];
}
