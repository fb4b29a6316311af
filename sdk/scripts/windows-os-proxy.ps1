<#
.SYNOPSIS
    Puts the operating-system proxy in place for Microsoft Defender for Endpoint (MDE) on a
    Windows machine, reads every value back, then proves the route through the proxy.

.DESCRIPTION
    Run as SYSTEM through Azure Run Command (named parameters; Windows PowerShell 5.1 on
    Windows Server 2012 R2 to 2025). Idempotent: a setting is written only when it differs (the
    bypass list compared as a set), and every setting written is read back as Windows stores it;
    a mismatch fails the run (exit 1). Every failure after the first write (a write, a read-back,
    the route check) puts back every value this run wrote, as it was, and says so.
    A machine-wide WinHTTP proxy that is neither direct access nor this proxy was set by someone
    else (a GPO, the image, another tool): the run refuses it (exit 3) and changes nothing, unless
    ReplaceExistingWinHttpProxy is true; then it replaces it and prints what was there.
      - WinHTTP proxy, used by system services and the MDE sensor:
        "netsh winhttp set proxy proxy-server=<host:port> bypass-list=<a;b;c>", read back with
        WinHttpGetDefaultProxyConfiguration (the text of "netsh winhttp show proxy" is
        translated on non-English Windows, the API is not).
        Sources: MicrosoftDocs/win32 desktop-src/WinHttp/netsh-exe-commands.md ("set proxy",
        "show proxy", "reset proxy"; "set advproxy" is newer than Windows Server 2012 R2, so the
        older "set proxy" is used); the bypass list is separated by semicolons and may hold
        "<local>" (MicrosoftDocs/win32 WINHTTP_PROXY_INFO, winhttp.h).
      - MDE static proxy (EDR sensor): HKLM\SOFTWARE\Policies\Microsoft\Windows\DataCollection
        TelemetryProxyServer (REG_SZ host:port, no scheme) and DisableEnterpriseAuthProxy
        (REG_DWORD 1).
      - Defender Antivirus static proxy: HKLM\SOFTWARE\Policies\Microsoft\Windows Defender
        ProxyServer (REG_SZ http://host:port).
        Source for both: MicrosoftDocs/defender-docs defender-endpoint/configure-proxy-internet.md.
        The Defender Antivirus ProxyBypass value is not written: Microsoft documents no format for
        it (Set-MpPreference says only "Specifies proxy bypasses", windows-powershell-docs
        docset/winserver2025-ps/defender/Set-MpPreference.md), and Defender Antivirus talks only
        to Microsoft's cloud, which must go through the proxy anyway.
    WinINet (per-user browser proxy) is left alone: the MDE sensor runs as LocalSystem and uses
    WinHTTP (configure-proxy-internet.md).
    Nothing here is secret: MDE supports no proxy authentication, so a proxy URL with
    user:password@ is refused, and a refused value is never echoed.
    Exit codes: 0 done; 1 a write, read-back or route check failed (what was written is put
    back); 2 a parameter is wrong; 3 another machine-wide WinHTTP proxy is in place (nothing was
    changed).

.PARAMETER ProxyUrl
    http://host:port - plain http, a port, no user:password@, no path. Required.

.PARAMETER BypassList
    WinHTTP bypass entries separated by commas or semicolons (host, *.domain, 10.*, <local>).
    168.63.129.16 (wire server) and 169.254.169.254 (instance metadata) are always added. At
    most 300 entries and 6000 characters.
    WinHTTP has no CIDR ranges, so entries with "/" are refused. Default: empty.

.PARAMETER RouteCheckHosts
    host:port entries separated by commas. Port 80: an HTTP GET through the proxy (how the
    certificate revocation hosts are fetched), which must not be refused (403, 407, 5xx). Any
    other port: an HTTP CONNECT through the proxy, which must answer 200, then a TLS 1.2
    handshake with the target that the machine's trust store accepts (a TLS-inspecting proxy
    fails, named by the issuer of the certificate it presented). An entry that the bypass list
    sends past the proxy fails without a probe. Default: empty (no check).

.PARAMETER RouteCheckPrivateHosts
    DNS names separated by commas: each must resolve, and only to private addresses (RFC 1918,
    fc00::/7), as Private Link names do. Default: empty (no check).

.PARAMETER RouteCheckTimeoutSeconds
    Whole seconds, 1 to 120, that bound each probe. Default: "10".

.PARAMETER RouteCheckTotalSeconds
    Whole seconds, 1 to 540, that bound all probes together (the run command has 600); targets
    left when it runs out fail as not probed. Default: "300".

.PARAMETER ReplaceExistingWinHttpProxy
    "true" replaces another machine-wide WinHTTP proxy (and prints what it was); "false" refuses
    it. Default: "false".
#>
[CmdletBinding()]
param(
    [string]$ProxyUrl = '',
    [string]$BypassList = '',
    [string]$RouteCheckHosts = '',
    [string]$RouteCheckPrivateHosts = '',
    [string]$RouteCheckTimeoutSeconds = '10',
    [string]$RouteCheckTotalSeconds = '300',
    [string]$ReplaceExistingWinHttpProxy = 'false'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$ScriptName = 'windows-os-proxy.ps1'
# Destinations that must never go through a proxy, whatever the caller passes.
$AlwaysBypass = @('168.63.129.16', '169.254.169.254')
# Bounds we chose so that a pasted list is refused; they are not Windows limits. They hold the
# largest list the component sends: validation accepts 200 entries and 3584 characters
# (BYPASS_LIMITS, sdk/validate/proxy.ts), the component adds its own entries (wire server, IMDS,
# loopback, Private Link hosts) and writes each ".domain" as "*.domain"; this script adds two more.
# test/scripts.windows.spec.ts runs that largest list through Get-BypassString.
$MaxBypassEntries = 300
$MaxBypassChars = 6000
# Settings written by this run, and how to put each back (newest last).
$Changes = 0
$Undo = New-Object System.Collections.Generic.List[object]

# Every exit on an error goes through here: what this run wrote is put back first.
function Stop-WithError([string]$Message, [int]$Code = 1) {
    if ($Undo.Count -gt 0) { $Message += "; $(Undo-Writes)" }
    [Console]::Error.WriteLine("${ScriptName}: error: $Message")
    exit $Code
}

# BEGIN shared: proxy URL, native commands and route check (identical in windows-os-proxy.ps1 and windows-arc-agent-proxy.ps1; test/powershell/Ps51Compat.Tests.ps1 checks it)

# Returns "host:port". Never echoes a rejected value: it may hold a password.
function Get-ProxyHostPort([string]$Url) {
    $fix = 'set ProxyUrl to http://host:port (plain http, a port, no user:password@, no path)'
    if ([string]::IsNullOrEmpty($Url)) { Stop-WithError "ProxyUrl is missing or empty; $fix" 2 }
    if (-not $Url.StartsWith('http://', [StringComparison]::Ordinal)) {
        Stop-WithError "ProxyUrl must use the http:// scheme; $fix" 2
    }
    $rest = $Url.Substring(7)
    if ($rest.Contains('@')) {
        Stop-WithError "ProxyUrl must not carry credentials (the agents support no proxy authentication); $fix" 2
    }
    if ($rest.IndexOfAny([char[]]'/?#') -ge 0) { Stop-WithError "ProxyUrl must not have a path, query or fragment; $fix" 2 }
    $label = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?'
    $m = [regex]::Match($rest, "^$label(?:\.$label)*:(?<port>[1-9][0-9]{0,4})$")
    if (-not $m.Success) {
        Stop-WithError "ProxyUrl must be http://host:port with a DNS name or IPv4 address and a port; $fix" 2
    }
    if ([int]$m.Groups['port'].Value -gt 65535) { Stop-WithError "ProxyUrl port must be from 1 to 65535; $fix" 2 }
    return $rest
}

function Get-Seconds([string]$Name, [string]$Text, [int]$Max) {
    if ($Text -cnotmatch '^[0-9]{1,4}$' -or [int]$Text -lt 1 -or [int]$Text -gt $Max) {
        Stop-WithError "$Name must be a whole number of seconds from 1 to $Max, such as `"10`"" 2
    }
    return [int]$Text
}

function Split-List([string]$List) {
    return @(($List -split '[,;\s]+') | Where-Object { $_.Length -gt 0 })
}

# host:port entries; entry positions, not values, in errors (a value may hold a credential).
function Get-RouteTargets([string]$List) {
    $fix = 'set RouteCheckHosts to host:port entries separated by commas, such as proxy-check.example:443'
    $label = '[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9])?'
    $targets = @()
    $i = 0
    foreach ($entry in (Split-List $List)) {
        $i++
        $m = [regex]::Match($entry, "^(?<host>$label(?:\.$label)*):(?<port>[1-9][0-9]{0,4})$")
        if (-not $m.Success -or [int]$m.Groups['port'].Value -gt 65535) {
            Stop-WithError "RouteCheckHosts entry $i is not host:port with a concrete DNS name or IPv4 address (no wildcard, no credentials); $fix" 2
        }
        $targets += , @($m.Groups['host'].Value, [int]$m.Groups['port'].Value)
    }
    return , $targets
}

function Get-PrivateNames([string]$List) {
    $label = '[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9])?'
    $names = @()
    $i = 0
    foreach ($entry in (Split-List $List)) {
        $i++
        if ($entry -cnotmatch "^$label(?:\.$label)*$") {
            Stop-WithError "RouteCheckPrivateHosts entry $i is not a concrete DNS name (no wildcard, no port); set RouteCheckPrivateHosts to names separated by commas" 2
        }
        $names += $entry
    }
    return , $names
}

# One argument as the Windows C runtime splits a command line (CommandLineToArgvW): quoted when
# it holds a space, a tab or a quote, with the backslashes before a quote doubled.
function ConvertTo-NativeArgument([string]$Argument) {
    if ($Argument.Length -gt 0 -and $Argument -notmatch '[\s"]') { return $Argument }
    $text = [regex]::Replace($Argument, '(\\*)"', '$1$1\"')
    $text = [regex]::Replace($text, '(\\+)$', '$1$1')
    return '"' + $text + '"'
}

# Runs a program and returns its exit code, standard output and standard error. Not "& exe 2>&1":
# in Windows PowerShell 5.1 every line a native command writes to stderr then becomes an error
# record, which $ErrorActionPreference = 'Stop' turns into the end of the script. Bounded in time.
function Invoke-Native([string]$FilePath, [string[]]$Arguments, [int]$TimeoutSeconds = 120) {
    $info = New-Object System.Diagnostics.ProcessStartInfo
    $info.FileName = $FilePath
    $info.Arguments = (@($Arguments | ForEach-Object { ConvertTo-NativeArgument $_ }) -join ' ')
    $info.UseShellExecute = $false
    $info.CreateNoWindow = $true
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($info)
    try {
        # Both streams are read at once: a program that fills one pipe while the other is read would hang.
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            try { $process.Kill() } catch { }
            return [pscustomobject]@{ ExitCode = -1; StdOut = ''; StdErr = "$([IO.Path]::GetFileName($FilePath)) did not finish within ${TimeoutSeconds}s and was stopped" }
        }
        $process.WaitForExit()
        return [pscustomobject]@{ ExitCode = $process.ExitCode; StdOut = $stdout.Result; StdErr = $stderr.Result }
    }
    finally { $process.Dispose() }
}

# The bypass entry that matches $HostName the way WinHTTP reads its list ("*" any characters,
# "<local>" a name without a dot, case-insensitive), or $null.
function Find-BypassEntry([string]$HostName, [string[]]$Entries) {
    foreach ($entry in $Entries) {
        if ($entry -eq '<local>') {
            if (-not $HostName.Contains('.')) { return $entry }
            continue
        }
        $pattern = '^' + ([regex]::Escape($entry) -replace '\\\*', '.*') + '$'
        if ([regex]::IsMatch($HostName, $pattern, [Text.RegularExpressions.RegexOptions]::IgnoreCase)) { return $entry }
    }
    return $null
}

function Get-MillisecondsLeft([DateTime]$Deadline) {
    return [int][Math]::Max(0, [Math]::Ceiling(($Deadline - [DateTime]::UtcNow).TotalMilliseconds))
}

# A TCP connection to the proxy, or a string saying why there is none.
function Connect-Proxy([string]$ProxyHostPort, [DateTime]$Deadline) {
    $proxyHost = $ProxyHostPort.Substring(0, $ProxyHostPort.LastIndexOf(':'))
    $proxyPort = [int]$ProxyHostPort.Substring($ProxyHostPort.LastIndexOf(':') + 1)
    $client = New-Object System.Net.Sockets.TcpClient
    $pending = $client.BeginConnect($proxyHost, $proxyPort, $null, $null)
    if (-not $pending.AsyncWaitHandle.WaitOne((Get-MillisecondsLeft $Deadline))) {
        $client.Close()
        return 'no connection to the proxy in time (timeout)'
    }
    try { $client.EndConnect($pending) }
    catch {
        $client.Close()
        return 'the proxy refused the connection or could not be reached'
    }
    return $client
}

# Sends an HTTP request to the proxy and reads the answer's head (up to the empty line, and no
# further: after a CONNECT the tunnel starts there). Returns @(code, reason), or a string saying
# why there is no answer.
function Send-ProxyRequest([System.Net.Sockets.TcpClient]$Client, [string]$Request, [DateTime]$Deadline) {
    $stream = $Client.GetStream()
    $bytes = [Text.Encoding]::ASCII.GetBytes($Request)
    $stream.WriteTimeout = [Math]::Max(1, (Get-MillisecondsLeft $Deadline))
    try { $stream.Write($bytes, 0, $bytes.Length) }
    catch { return 'the proxy closed the connection before the request was sent' }
    $head = New-Object System.Collections.Generic.List[byte]
    $one = New-Object byte[] 1
    while ($head.Count -lt 16384) {
        $left = Get-MillisecondsLeft $Deadline
        if ($left -le 0) { return 'no answer from the proxy in time (timeout)' }
        $stream.ReadTimeout = $left
        try { $count = $stream.Read($one, 0, 1) }
        catch { return 'no answer from the proxy in time (timeout)' }
        if ($count -le 0) { return 'the proxy closed the connection without answering' }
        $head.Add($one[0])
        $n = $head.Count
        if ($n -ge 4 -and $head[$n - 4] -eq 13 -and $head[$n - 3] -eq 10 -and $head[$n - 2] -eq 13 -and $head[$n - 1] -eq 10) { break }
    }
    $text = [Text.Encoding]::ASCII.GetString($head.ToArray())
    $status = [regex]::Match($text, '^HTTP/1\.[01] (?<code>[0-9]{3})(?: (?<reason>[ -~]{0,60}))?')
    if (-not $status.Success) { return 'the proxy answered something that is not HTTP' }
    return , @([int]$status.Groups['code'].Value, $status.Groups['reason'].Value.TrimEnd())
}

# Port 443: CONNECT through the proxy, then a TLS 1.2 handshake with the target inside the tunnel,
# validated against the machine's trust store (no callback that accepts what the store refuses).
# A proxy that inspects TLS presents its own certificate: the run fails naming its issuer, since
# Defender for Endpoint does not support TLS inspection (defender-docs
# defender-endpoint/configure-environment.md). Revocation is not checked here: the revocation
# hosts are probed themselves, with GET on port 80.
function Test-HttpsTarget([string]$ProxyHostPort, [string]$TargetHost, [int]$TargetPort, [DateTime]$Deadline) {
    $client = Connect-Proxy $ProxyHostPort $Deadline
    if ($client -is [string]) { return $client }
    try {
        $hostPort = "${TargetHost}:$TargetPort"
        $answer = Send-ProxyRequest $client "CONNECT $hostPort HTTP/1.1`r`nHost: $hostPort`r`n`r`n" $Deadline
        if ($answer -is [string]) { return $answer }
        if ($answer[0] -ne 200) { return ("the proxy answered $($answer[0]) $($answer[1])").TrimEnd() }
        $seen = @{ Issuer = ''; Errors = 'None' }
        $check = [System.Net.Security.RemoteCertificateValidationCallback] {
            param($sender, $certificate, $chain, $errors)
            if ($null -ne $certificate) { $seen.Issuer = $certificate.Issuer }
            $seen.Errors = $errors.ToString()
            return $errors -eq [System.Net.Security.SslPolicyErrors]::None
        }
        $stream = $client.GetStream()
        $stream.ReadTimeout = [Math]::Max(1, (Get-MillisecondsLeft $Deadline))
        $stream.WriteTimeout = [Math]::Max(1, (Get-MillisecondsLeft $Deadline))
        $tls = New-Object System.Net.Security.SslStream($stream, $false, $check)
        try {
            $tls.AuthenticateAsClient($TargetHost, $null, [System.Security.Authentication.SslProtocols]::Tls12, $false)
        }
        catch {
            if ($seen.Errors -ne 'None' -and $seen.Issuer -ne '') {
                return "the TLS certificate presented for $TargetHost is issued by '$($seen.Issuer)', which this machine does not accept ($($seen.Errors)): the proxy intercepts TLS, which Defender for Endpoint does not support"
            }
            if ((Get-MillisecondsLeft $Deadline) -le 0) { return 'no TLS answer through the tunnel in time (timeout)' }
            return "the TLS handshake through the tunnel failed: $($_.Exception.GetBaseException().Message)"
        }
        finally { $tls.Dispose() }
        return , @("CONNECT 200, TLS certificate issued by '$($seen.Issuer)'")
    }
    finally { $client.Close() }
}

# Port 80: a plain HTTP GET through the proxy, as the certificate revocation and trust list hosts
# are fetched (the component's Squid snippet allows only GET and HEAD there). An answer a proxy
# gives when it refuses (403, 407) or cannot reach the target (5xx) fails; any other answer came
# from the target.
function Test-HttpTarget([string]$ProxyHostPort, [string]$TargetHost, [int]$TargetPort, [DateTime]$Deadline) {
    $client = Connect-Proxy $ProxyHostPort $Deadline
    if ($client -is [string]) { return $client }
    try {
        $authority = if ($TargetPort -eq 80) { $TargetHost } else { "${TargetHost}:$TargetPort" }
        $answer = Send-ProxyRequest $client "GET http://$authority/ HTTP/1.1`r`nHost: $authority`r`nConnection: close`r`n`r`n" $Deadline
        if ($answer -is [string]) { return $answer }
        if ($answer[0] -eq 403 -or $answer[0] -eq 407 -or $answer[0] -ge 500) { return ("GET: the proxy answered $($answer[0]) $($answer[1])").TrimEnd() }
        return , @("GET answered $($answer[0])")
    }
    finally { $client.Close() }
}

# The DNS answer, bounded in time (Dns.BeginGetHostAddresses exists on every .NET Framework).
function Resolve-HostAddresses([string]$Name, [int]$TimeoutSeconds) {
    $pending = [System.Net.Dns]::BeginGetHostAddresses($Name, $null, $null)
    if (-not $pending.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds($TimeoutSeconds))) {
        throw "no DNS answer within ${TimeoutSeconds}s (timeout)"
    }
    return [System.Net.Dns]::EndGetHostAddresses($pending)
}

# RFC 1918 (10/8, 172.16/12, 192.168/16) and IPv6 unique local addresses (fc00::/7).
function Test-PrivateAddress([System.Net.IPAddress]$Address) {
    if ($Address.AddressFamily -eq [System.Net.Sockets.AddressFamily]::InterNetworkV6 -and $Address.IsIPv4MappedToIPv6) {
        $Address = $Address.MapToIPv4()
    }
    $b = $Address.GetAddressBytes()
    if ($Address.AddressFamily -eq [System.Net.Sockets.AddressFamily]::InterNetwork) {
        return ($b[0] -eq 10) -or ($b[0] -eq 172 -and $b[1] -ge 16 -and $b[1] -le 31) -or ($b[0] -eq 192 -and $b[1] -eq 168)
    }
    return ($b[0] -band 0xFE) -eq 0xFC
}

function Test-PrivateName([string]$Name, [int]$TimeoutSeconds) {
    try { $addresses = @(Resolve-HostAddresses $Name $TimeoutSeconds) }
    catch { return "DNS gave no answer: $($_.Exception.Message)" }
    if ($addresses.Count -eq 0) { return 'DNS gave no address' }
    $public = @($addresses | Where-Object { -not (Test-PrivateAddress $_) } | ForEach-Object { $_.ToString() })
    if ($public.Count -gt 0) { return "DNS answered an address outside private space ($($public -join ', '))" }
    return $null
}

# Probes every target within one total bound, each within its own. Returns the lines to print for
# the routes proven (.Ok) and "what: why" for the rest (.Failures). A target the bypass list sends
# past the proxy fails without a probe: the agents would not take the route the probe proves.
function Invoke-RouteCheck([string]$ProxyHostPort, $Targets, $PrivateNames, [int]$TimeoutSeconds, [int]$TotalSeconds, [string[]]$BypassEntries) {
    $ok = New-Object System.Collections.Generic.List[string]
    $failures = New-Object System.Collections.Generic.List[string]
    $end = [DateTime]::UtcNow.AddSeconds($TotalSeconds)
    foreach ($target in $Targets) {
        $what = "$($target[0]):$($target[1])"
        $bypassed = Find-BypassEntry $target[0] $BypassEntries
        if ($null -ne $bypassed) {
            $failures.Add("${what}: the bypass list entry '$bypassed' sends it past the proxy, so the agents would not use this route; remove the entry or send this host through the proxy")
            continue
        }
        if ([DateTime]::UtcNow -ge $end) {
            $failures.Add("${what}: not probed, the route check's total bound of ${TotalSeconds}s ran out")
            continue
        }
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
        if ($deadline -gt $end) { $deadline = $end }
        $result = if ($target[1] -eq 80) { Test-HttpTarget $ProxyHostPort $target[0] $target[1] $deadline } else { Test-HttpsTarget $ProxyHostPort $target[0] $target[1] $deadline }
        if ($result -is [string]) { $failures.Add("${what}: $result") }
        else { $ok.Add("route: ok $what ($($result[0]))") }
    }
    foreach ($name in $PrivateNames) {
        if ([DateTime]::UtcNow -ge $end) {
            $failures.Add("${name}: not probed, the route check's total bound of ${TotalSeconds}s ran out")
            continue
        }
        $why = Test-PrivateName $name $TimeoutSeconds
        if ($null -eq $why) { $ok.Add("route: ok $name (private address)") }
        else { $failures.Add("${name}: $why") }
    }
    return [pscustomobject]@{ Ok = $ok.ToArray(); Failures = $failures.ToArray() }
}

# A value read from the machine, fit to print: one that may hold user:password@ is not shown.
function Get-Printable([string]$Value) {
    if ($Value.Contains('@')) { return '(not shown: it holds an @, so it may carry a credential)' }
    return $Value
}

# END shared

# Bypass entries in WinHTTP's form: the fixed ones first, no repeats, separated by ";".
function Get-BypassString([string]$List) {
    $fix = 'set BypassList to entries separated by commas, such as <local>,*.contoso.com,10.*'
    $entries = New-Object System.Collections.Generic.List[string]
    foreach ($fixed in $AlwaysBypass) { $entries.Add($fixed) }
    $i = 0
    foreach ($entry in (Split-List $List)) {
        $i++
        if ($entry.Contains('/')) { Stop-WithError "BypassList entry ${i}: WinHTTP takes no CIDR ranges, use wildcards such as 10.*; $fix" 2 }
        if ($entry -eq '*') { Stop-WithError "BypassList entry ${i} is '*', which would send nothing through the proxy; $fix" 2 }
        if ($entry -cnotmatch '^(?:<local>|[A-Za-z0-9._*:\[\]-]+)$') {
            Stop-WithError "BypassList entry $i has characters other than letters, digits and . _ * : - [ ] (no credentials); $fix" 2
        }
        $known = $false
        foreach ($e in $entries) { if ([string]::Equals($e, $entry, [StringComparison]::OrdinalIgnoreCase)) { $known = $true } }
        if (-not $known) { $entries.Add($entry) }
    }
    if ($entries.Count -gt $MaxBypassEntries) { Stop-WithError "BypassList has more than $MaxBypassEntries entries; use wildcards such as *.contoso.com" 2 }
    $joined = $entries.ToArray() -join ';'
    if ($joined.Length -gt $MaxBypassChars) { Stop-WithError "BypassList is longer than $MaxBypassChars characters; use wildcards such as *.contoso.com" 2 }
    return $joined
}

# --- The Windows boundary: the only functions that touch the system (the tests mock these). ---

# 32-bit PowerShell on 64-bit Windows would run the 32-bit netsh, which sets the 32-bit WinHTTP
# settings only; Sysnative reaches the 64-bit one.
function Invoke-Netsh([string[]]$Arguments) {
    $netsh = Join-Path $env:SystemRoot 'System32\netsh.exe'
    if ([Environment]::Is64BitOperatingSystem -and -not [Environment]::Is64BitProcess) {
        $netsh = Join-Path $env:SystemRoot 'Sysnative\netsh.exe'
    }
    $result = Invoke-Native $netsh $Arguments
    return [pscustomobject]@{ ExitCode = $result.ExitCode; Output = (($result.StdOut + ' ' + $result.StdErr) -replace '\s+', ' ').Trim() }
}

# The machine's WinHTTP default proxy as WinHTTP itself reports it (winhttp.h,
# WinHttpGetDefaultProxyConfiguration; the strings it returns are freed with GlobalFree).
function Get-WinHttpDefaultProxy {
    if (-not ('DefenderServers.WinHttpDefaultProxy' -as [type])) {
        Add-Type -TypeDefinition @'
using System;
using System.Runtime.InteropServices;
namespace DefenderServers {
    public static class WinHttpDefaultProxy {
        [StructLayout(LayoutKind.Sequential)]
        struct ProxyInfo { public int AccessType; public IntPtr Proxy; public IntPtr Bypass; }
        [DllImport("winhttp.dll", SetLastError = true)]
        static extern bool WinHttpGetDefaultProxyConfiguration(ref ProxyInfo info);
        [DllImport("kernel32.dll")]
        static extern IntPtr GlobalFree(IntPtr handle);
        public static string[] Read() {
            ProxyInfo info = new ProxyInfo();
            if (!WinHttpGetDefaultProxyConfiguration(ref info)) {
                throw new System.ComponentModel.Win32Exception(Marshal.GetLastWin32Error());
            }
            try {
                return new string[] { info.AccessType.ToString(),
                    info.Proxy == IntPtr.Zero ? "" : Marshal.PtrToStringUni(info.Proxy),
                    info.Bypass == IntPtr.Zero ? "" : Marshal.PtrToStringUni(info.Bypass) };
            } finally {
                if (info.Proxy != IntPtr.Zero) GlobalFree(info.Proxy);
                if (info.Bypass != IntPtr.Zero) GlobalFree(info.Bypass);
            }
        }
    }
}
'@
    }
    $values = [DefenderServers.WinHttpDefaultProxy]::Read()
    return [pscustomobject]@{ AccessType = [int]$values[0]; Proxy = $values[1]; Bypass = $values[2] }
}

# The 64-bit registry view, also from a 32-bit PowerShell (the policies are read by 64-bit
# services). Returns $null when the value does not exist.
function Get-PolicyValue([string]$SubKey, [string]$Name) {
    $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Registry64)
    try {
        $key = $base.OpenSubKey($SubKey)
        if ($null -eq $key) { return $null }
        try {
            $value = $key.GetValue($Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
            if ($null -eq $value) { return $null }
            # Raw: the value as stored, so that a rollback writes back exactly what was there.
            return [pscustomobject]@{ Kind = $key.GetValueKind($Name).ToString(); Value = [string]$value; Raw = $value }
        }
        finally { $key.Close() }
    }
    finally { $base.Close() }
}

function Set-PolicyValue([string]$SubKey, [string]$Name, [string]$Value, [string]$Kind) {
    $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Registry64)
    try {
        $key = $base.CreateSubKey($SubKey)
        try {
            if ($Kind -eq 'DWord') { $key.SetValue($Name, [int]$Value, [Microsoft.Win32.RegistryValueKind]::DWord) }
            else { $key.SetValue($Name, $Value, [Microsoft.Win32.RegistryValueKind]::String) }
        }
        finally { $key.Close() }
    }
    finally { $base.Close() }
}

function Test-PolicyKey([string]$SubKey) {
    $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Registry64)
    try {
        $key = $base.OpenSubKey($SubKey)
        if ($null -eq $key) { return $false }
        $key.Close()
        return $true
    }
    finally { $base.Close() }
}

# Deletes a key this run created, once it holds no value and no subkey again; says whether it did.
function Remove-PolicyKeyIfEmpty([string]$SubKey) {
    $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Registry64)
    try {
        $key = $base.OpenSubKey($SubKey)
        if ($null -eq $key) { return $true }
        try { $empty = $key.ValueCount -eq 0 -and $key.SubKeyCount -eq 0 }
        finally { $key.Close() }
        if (-not $empty) { return $false }
        $base.DeleteSubKey($SubKey, $false)
        return $true
    }
    finally { $base.Close() }
}

# Puts a value back as Get-PolicyValue saw it before this run ($null: the value did not exist).
function Restore-PolicyValue([string]$SubKey, [string]$Name, $Saved) {
    $base = [Microsoft.Win32.RegistryKey]::OpenBaseKey([Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Registry64)
    try {
        $key = $base.OpenSubKey($SubKey, $true)
        if ($null -eq $key) { return }
        try {
            if ($null -eq $Saved) { $key.DeleteValue($Name, $false) }
            else { $key.SetValue($Name, $Saved.Raw, [Microsoft.Win32.RegistryValueKind]$Saved.Kind) }
        }
        finally { $key.Close() }
    }
    finally { $base.Close() }
}

# --- Settings: each compared, written when different, read back, and put back on failure. ---

# The same entries in any order and case are the same list (a GPO may write them in its own order).
function Test-SameBypass([string]$Actual, [string]$Expected) {
    $a = @(Split-List $Actual | ForEach-Object { $_.ToLowerInvariant() } | Sort-Object -Unique)
    $e = @(Split-List $Expected | ForEach-Object { $_.ToLowerInvariant() } | Sort-Object -Unique)
    if ($a.Count -ne $e.Count) { return $false }
    for ($i = 0; $i -lt $a.Count; $i++) {
        if (-not [string]::Equals($a[$i], $e[$i], [StringComparison]::Ordinal)) { return $false }
    }
    return $true
}

function Format-WinHttp($State) {
    if ($State.AccessType -eq 1) { return 'direct access (no proxy)' }
    return "access type $($State.AccessType), proxy '$(Get-Printable $State.Proxy)', bypass '$(Get-Printable $State.Bypass)'"
}

# Sets WinHTTP back to $Previous and reads it back; returns what happened.
function Restore-WinHttp($Previous) {
    if ($Previous.AccessType -eq 1) { $arguments = @('winhttp', 'reset', 'proxy') }
    elseif ($Previous.AccessType -eq 3) {
        $arguments = @('winhttp', 'set', 'proxy', "proxy-server=$($Previous.Proxy)")
        if ($Previous.Bypass.Length -gt 0) { $arguments += "bypass-list=$($Previous.Bypass)" }
    }
    else { return "WinHTTP NOT restored: netsh cannot set access type $($Previous.AccessType) again" }
    $result = Invoke-Netsh $arguments
    if ($result.ExitCode -ne 0) { return "WinHTTP NOT restored: netsh exit code $($result.ExitCode): $($result.Output)" }
    $now = Get-WinHttpDefaultProxy
    $same = $now.AccessType -eq $Previous.AccessType -and [string]::Equals($now.Proxy, $Previous.Proxy, [StringComparison]::OrdinalIgnoreCase) -and
        [string]::Equals($now.Bypass, $Previous.Bypass, [StringComparison]::Ordinal)
    if (-not $same) { return "WinHTTP NOT restored: it reads back $(Format-WinHttp $now)" }
    return "WinHTTP restored to $(Format-WinHttp $Previous)"
}

function Restore-Policy([string]$SubKey, [string]$Name, $Saved) {
    try { Restore-PolicyValue $SubKey $Name $Saved }
    catch { return "HKLM\$SubKey\$Name NOT restored: $($_.Exception.Message)" }
    $now = Get-PolicyValue $SubKey $Name
    $same = if ($null -eq $Saved) { $null -eq $now } else { $null -ne $now -and $now.Kind -eq $Saved.Kind -and [string]::Equals($now.Value, $Saved.Value, [StringComparison]::Ordinal) }
    if (-not $same) { return "HKLM\$SubKey\$Name NOT restored" }
    if ($null -eq $Saved) { return "HKLM\$SubKey\$Name removed again" }
    return "HKLM\$SubKey\$Name restored"
}

# Puts back everything this run wrote, newest first; never throws.
function Undo-Writes {
    $said = New-Object System.Collections.Generic.List[string]
    for ($i = $Undo.Count - 1; $i -ge 0; $i--) {
        $step = $Undo[$i]
        try {
            if ($step.What -eq 'WinHTTP') { $said.Add((Restore-WinHttp $step.Previous)) }
            elseif ($step.What -eq 'Key') {
                $gone = Remove-PolicyKeyIfEmpty $step.SubKey
                $said.Add($(if ($gone) { "HKLM\$($step.SubKey) removed again" } else { "HKLM\$($step.SubKey) kept: it holds other values now" }))
            }
            else { $said.Add((Restore-Policy $step.SubKey $step.Name $step.Previous)) }
        }
        catch { $said.Add("a rollback step failed: $($_.Exception.Message)") }
    }
    $Undo.Clear()
    return "rolled back: $($said -join '; ')"
}

function Test-WinHttpIs($Current, [string]$HostPort, [string]$Bypass) {
    # 3 is WINHTTP_ACCESS_TYPE_NAMED_PROXY.
    return ($null -ne $Current) -and $Current.AccessType -eq 3 -and
        [string]::Equals($Current.Proxy, $HostPort, [StringComparison]::OrdinalIgnoreCase) -and
        (Test-SameBypass $Current.Bypass $Bypass)
}

function Set-WinHttpProxy([string]$HostPort, [string]$Bypass, [bool]$Replace) {
    $current = Get-WinHttpDefaultProxy
    if (Test-WinHttpIs $current $HostPort $Bypass) {
        Write-Output "unchanged: WinHTTP proxy $HostPort (bypass $Bypass)"
        return
    }
    # Direct access, or this proxy with another bypass list (an earlier run's), is ours to set.
    $ours = $current.AccessType -eq 1 -or ($current.AccessType -eq 3 -and [string]::Equals($current.Proxy, $HostPort, [StringComparison]::OrdinalIgnoreCase))
    if (-not $ours) {
        if (-not $Replace) {
            Stop-WithError "WinHTTP already has another machine-wide proxy ($(Format-WinHttp $current)), set by someone else (a GPO, the image, another tool) and used by other services; nothing was changed. To replace it, run again with ReplaceExistingWinHttpProxy set to true" 3
        }
        Write-Output "replacing: WinHTTP had $(Format-WinHttp $current)"
    }
    # No quotes inside the arguments: the values hold no spaces or quotes (checked above), and
    # embedded quotes are passed differently by Windows PowerShell 5.1 and PowerShell 7.
    $Undo.Add([pscustomobject]@{ What = 'WinHTTP'; Previous = $current })
    $result = Invoke-Netsh @('winhttp', 'set', 'proxy', "proxy-server=$HostPort", "bypass-list=$Bypass")
    if ($result.ExitCode -ne 0) {
        Stop-WithError "netsh winhttp set proxy failed with exit code $($result.ExitCode): $($result.Output)"
    }
    $after = Get-WinHttpDefaultProxy
    if (-not (Test-WinHttpIs $after $HostPort $Bypass)) {
        Stop-WithError "WinHTTP read back differs from what was set: expected proxy $HostPort with bypass $Bypass, WinHTTP reports access type $($after.AccessType), proxy '$(Get-Printable $after.Proxy)', bypass '$(Get-Printable $after.Bypass)'"
    }
    Write-Output "changed: WinHTTP proxy $HostPort (bypass $Bypass)"
    $script:Changes++
}

function Test-PolicyIs($Current, [string]$Value, [string]$Kind) {
    return ($null -ne $Current) -and $Current.Kind -eq $Kind -and [string]::Equals($Current.Value, $Value, [StringComparison]::Ordinal)
}

function Set-Policy([string]$SubKey, [string]$Name, [string]$Value, [string]$Kind) {
    $saved = Get-PolicyValue $SubKey $Name
    if (Test-PolicyIs $saved $Value $Kind) {
        Write-Output "unchanged: HKLM\$SubKey\$Name"
        return
    }
    # A key this run creates goes too (its parents, SOFTWARE\Policies\Microsoft\Windows and
    # ...\Microsoft, exist on every Windows Server). Recorded before the value, so undone after it.
    if (-not (Test-PolicyKey $SubKey)) { $Undo.Add([pscustomobject]@{ What = 'Key'; SubKey = $SubKey }) }
    $Undo.Add([pscustomobject]@{ What = 'Policy'; SubKey = $SubKey; Name = $Name; Previous = $saved })
    Set-PolicyValue $SubKey $Name $Value $Kind
    $after = Get-PolicyValue $SubKey $Name
    if (-not (Test-PolicyIs $after $Value $Kind)) {
        $seen = if ($null -eq $after) { 'no value' } else { "$($after.Kind) '$(Get-Printable $after.Value)'" }
        Stop-WithError "registry read back differs from what was set: HKLM\$SubKey\$Name should be $Kind '$Value', the registry holds $seen"
    }
    Write-Output "changed: HKLM\$SubKey\$Name"
    $script:Changes++
}

function Get-Switch([string]$Name, [string]$Text) {
    if ($Text -eq 'true') { return $true }
    if ($Text -eq 'false') { return $false }
    Stop-WithError "$Name must be true or false" 2
}

try {
    $hostPort = Get-ProxyHostPort $ProxyUrl
    $bypass = Get-BypassString $BypassList
    $timeout = Get-Seconds 'RouteCheckTimeoutSeconds' $RouteCheckTimeoutSeconds 120
    $total = Get-Seconds 'RouteCheckTotalSeconds' $RouteCheckTotalSeconds 540
    $replace = Get-Switch 'ReplaceExistingWinHttpProxy' $ReplaceExistingWinHttpProxy
    $targets = Get-RouteTargets $RouteCheckHosts
    $privateNames = Get-PrivateNames $RouteCheckPrivateHosts

    Set-WinHttpProxy $hostPort $bypass $replace
    $dataCollection = 'SOFTWARE\Policies\Microsoft\Windows\DataCollection'
    Set-Policy $dataCollection 'TelemetryProxyServer' $hostPort 'String'
    Set-Policy $dataCollection 'DisableEnterpriseAuthProxy' '1' 'DWord'
    Set-Policy 'SOFTWARE\Policies\Microsoft\Windows Defender' 'ProxyServer' "http://$hostPort" 'String'
    if ($Changes -eq 0) { Write-Output 'settings: nothing changed (every value was already in place)' }
    else { Write-Output "settings: $Changes value(s) changed and read back" }

    if ($targets.Count -eq 0 -and $privateNames.Count -eq 0) {
        Write-Output 'route: not checked (RouteCheckHosts and RouteCheckPrivateHosts are empty)'
    }
    else {
        $route = Invoke-RouteCheck $hostPort $targets $privateNames $timeout $total (Split-List $bypass)
        $route.Ok | ForEach-Object { Write-Output $_ }
        if ($route.Failures.Count -gt 0) {
            Stop-WithError "route check failed for $($route.Failures.Count) of $($targets.Count + $privateNames.Count): $($route.Failures -join '; ')"
        }
    }
    Write-Output "done: operating-system proxy for Defender for Endpoint is http://$hostPort"
    exit 0
}
catch {
    Stop-WithError "$($_.Exception.Message)" 1
}
