<#
.SYNOPSIS
    Puts the operating-system proxy in place for Microsoft Defender for Endpoint (MDE) on a
    Windows machine, reads every value back, then proves the route through the proxy.

.DESCRIPTION
    Run as SYSTEM through Azure Run Command (named parameters; Windows PowerShell 5.1 on
    Windows Server 2012 R2 to 2025). Idempotent: a setting is written only when it differs, and
    every setting written is read back as Windows stores it; a mismatch fails the run (exit 1).
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
    Exit codes: 0 done; 1 a write, read-back or route check failed; 2 a parameter is wrong.

.PARAMETER ProxyUrl
    http://host:port - plain http, a port, no user:password@, no path. Required.

.PARAMETER BypassList
    WinHTTP bypass entries separated by commas or semicolons (host, *.domain, 10.*, <local>).
    168.63.129.16 (wire server) and 169.254.169.254 (instance metadata) are always added.
    WinHTTP has no CIDR ranges, so entries with "/" are refused. Default: empty.

.PARAMETER RouteCheckHosts
    host:port entries separated by commas: each gets an HTTP CONNECT through the proxy, which
    must answer 200. Default: empty (no check).

.PARAMETER RouteCheckPrivateHosts
    DNS names separated by commas: each must resolve, and only to private addresses (RFC 1918,
    fc00::/7), as Private Link names do. Default: empty (no check).

.PARAMETER RouteCheckTimeoutSeconds
    Whole seconds, 1 to 120, that bound each probe. Default: "10".
#>
[CmdletBinding()]
param(
    [string]$ProxyUrl = '',
    [string]$BypassList = '',
    [string]$RouteCheckHosts = '',
    [string]$RouteCheckPrivateHosts = '',
    [string]$RouteCheckTimeoutSeconds = '10'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$ScriptName = 'windows-os-proxy.ps1'
# Destinations that must never go through a proxy, whatever the caller passes.
$AlwaysBypass = @('168.63.129.16', '169.254.169.254')
# Bounds we chose so that a pasted list or a stray "*" is refused; they are not Windows limits.
$MaxBypassEntries = 200
$MaxBypassChars = 4000
# Settings written by this run; route-check failures found by it.
$Changes = 0
$RouteFailures = New-Object System.Collections.Generic.List[string]

function Stop-WithError([string]$Message, [int]$Code = 1) {
    [Console]::Error.WriteLine("${ScriptName}: error: $Message")
    exit $Code
}

# BEGIN shared: proxy URL and route check (identical in windows-arc-agent-proxy.ps1)

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

function Get-TimeoutSeconds([string]$Text) {
    if ($Text -cnotmatch '^[0-9]{1,3}$' -or [int]$Text -lt 1 -or [int]$Text -gt 120) {
        Stop-WithError 'RouteCheckTimeoutSeconds must be a whole number of seconds from 1 to 120, such as "10"' 2
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

# An HTTP CONNECT through the proxy over a raw socket rather than HttpClient: the status line the
# proxy answers (403, 407, 502 ...) is read as sent, the same way on .NET Framework (Windows
# PowerShell 5.1) and .NET (PowerShell 7), and no TLS handshake with the target is needed to
# prove the proxy lets the tunnel through. Returns $null when the proxy answered 200, otherwise
# what went wrong.
function Test-ProxyConnect([string]$ProxyHostPort, [string]$TargetHost, [int]$TargetPort, [int]$TimeoutSeconds) {
    $proxyHost = $ProxyHostPort.Substring(0, $ProxyHostPort.LastIndexOf(':'))
    $proxyPort = [int]$ProxyHostPort.Substring($ProxyHostPort.LastIndexOf(':') + 1)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSeconds)
    $client = New-Object System.Net.Sockets.TcpClient
    try {
        $pending = $client.BeginConnect($proxyHost, $proxyPort, $null, $null)
        if (-not $pending.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds($TimeoutSeconds))) {
            return "no connection to the proxy within ${TimeoutSeconds}s"
        }
        try { $client.EndConnect($pending) }
        catch { return 'the proxy refused the connection or could not be reached' }
        $stream = $client.GetStream()
        $request = [Text.Encoding]::ASCII.GetBytes("CONNECT ${TargetHost}:$TargetPort HTTP/1.1`r`nHost: ${TargetHost}:$TargetPort`r`n`r`n")
        $stream.WriteTimeout = $TimeoutSeconds * 1000
        $stream.Write($request, 0, $request.Length)
        $buffer = New-Object byte[] 4096
        $received = 0
        $text = ''
        while ($text.IndexOf("`r`n", [StringComparison]::Ordinal) -lt 0 -and $received -lt $buffer.Length) {
            $left = [int]($deadline - [DateTime]::UtcNow).TotalMilliseconds
            if ($left -le 0) { return "no answer from the proxy within ${TimeoutSeconds}s (timeout)" }
            $stream.ReadTimeout = $left
            try { $count = $stream.Read($buffer, $received, $buffer.Length - $received) }
            catch { return "no answer from the proxy within ${TimeoutSeconds}s (timeout)" }
            if ($count -le 0) { return 'the proxy closed the connection without answering' }
            $received += $count
            $text = [Text.Encoding]::ASCII.GetString($buffer, 0, $received)
        }
        $end = $text.IndexOf("`r`n", [StringComparison]::Ordinal)
        if ($end -lt 0) { $end = $text.Length }
        $status = [regex]::Match($text.Substring(0, $end), '^HTTP/1\.[01] (?<code>[0-9]{3})(?: (?<reason>[ -~]{0,60}))?')
        if (-not $status.Success) { return 'the proxy answered something that is not HTTP' }
        $code = $status.Groups['code'].Value
        if ($code -eq '200') { return $null }
        return ("the proxy answered $code " + $status.Groups['reason'].Value).TrimEnd()
    }
    finally {
        $client.Close()
    }
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

# Probes every target; prints one line per success; adds "what: why" to $RouteFailures.
function Invoke-RouteCheck([string]$ProxyHostPort, $Targets, $PrivateNames, [int]$TimeoutSeconds) {
    foreach ($target in $Targets) {
        $what = "$($target[0]):$($target[1])"
        $why = Test-ProxyConnect $ProxyHostPort $target[0] $target[1] $TimeoutSeconds
        if ($null -eq $why) { Write-Output "route: ok $what (the proxy answered 200)" }
        else { $RouteFailures.Add("${what}: $why") }
    }
    foreach ($name in $PrivateNames) {
        $why = Test-PrivateName $name $TimeoutSeconds
        if ($null -eq $why) { Write-Output "route: ok $name (private address)" }
        else { $RouteFailures.Add("${name}: $why") }
    }
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
    $output = & $netsh @Arguments 2>&1
    return [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = (@($output) -join ' ') }
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
            return [pscustomobject]@{ Kind = $key.GetValueKind($Name).ToString(); Value = [string]$value }
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

# --- Settings: each compared, written when different, and read back. ---

function Test-SameBypass([string]$Actual, [string]$Expected) {
    $a = @(Split-List $Actual)
    $e = @(Split-List $Expected)
    if ($a.Count -ne $e.Count) { return $false }
    for ($i = 0; $i -lt $a.Count; $i++) {
        if (-not [string]::Equals($a[$i], $e[$i], [StringComparison]::OrdinalIgnoreCase)) { return $false }
    }
    return $true
}

function Test-WinHttpIs($Current, [string]$HostPort, [string]$Bypass) {
    # 3 is WINHTTP_ACCESS_TYPE_NAMED_PROXY.
    return ($null -ne $Current) -and $Current.AccessType -eq 3 -and
        [string]::Equals($Current.Proxy, $HostPort, [StringComparison]::OrdinalIgnoreCase) -and
        (Test-SameBypass $Current.Bypass $Bypass)
}

function Set-WinHttpProxy([string]$HostPort, [string]$Bypass) {
    $current = Get-WinHttpDefaultProxy
    if (Test-WinHttpIs $current $HostPort $Bypass) {
        Write-Output "unchanged: WinHTTP proxy $HostPort (bypass $Bypass)"
        return
    }
    # No quotes inside the arguments: the values hold no spaces or quotes (checked above), and
    # embedded quotes are passed differently by Windows PowerShell 5.1 and PowerShell 7.
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
    if (Test-PolicyIs (Get-PolicyValue $SubKey $Name) $Value $Kind) {
        Write-Output "unchanged: HKLM\$SubKey\$Name"
        return
    }
    Set-PolicyValue $SubKey $Name $Value $Kind
    $after = Get-PolicyValue $SubKey $Name
    if (-not (Test-PolicyIs $after $Value $Kind)) {
        $seen = if ($null -eq $after) { 'no value' } else { "$($after.Kind) '$(Get-Printable $after.Value)'" }
        Stop-WithError "registry read back differs from what was set: HKLM\$SubKey\$Name should be $Kind '$Value', the registry holds $seen"
    }
    Write-Output "changed: HKLM\$SubKey\$Name"
    $script:Changes++
}

try {
    $hostPort = Get-ProxyHostPort $ProxyUrl
    $bypass = Get-BypassString $BypassList
    $timeout = Get-TimeoutSeconds $RouteCheckTimeoutSeconds
    $targets = Get-RouteTargets $RouteCheckHosts
    $privateNames = Get-PrivateNames $RouteCheckPrivateHosts

    Set-WinHttpProxy $hostPort $bypass
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
        Invoke-RouteCheck $hostPort $targets $privateNames $timeout
        if ($RouteFailures.Count -gt 0) {
            Stop-WithError "route check failed for $($RouteFailures.Count) of $($targets.Count + $privateNames.Count): $($RouteFailures -join '; ')"
        }
    }
    Write-Output "done: operating-system proxy for Defender for Endpoint is http://$hostPort"
    exit 0
}
catch {
    Stop-WithError "$($_.Exception.Message)" 1
}
