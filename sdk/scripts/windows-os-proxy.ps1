<#
.SYNOPSIS
    Puts the operating-system proxy in place for Microsoft Defender for Endpoint (MDE) on a
    Windows machine, before MDE is switched on in Defender for Servers.

.DESCRIPTION
    Run as SYSTEM through Azure Run Command (named parameters). Idempotent: a setting is
    written only when it differs. Sets:
      - the WinHTTP proxy (netsh winhttp set proxy), used by system services;
      - the MDE static proxy policy: HKLM\SOFTWARE\Policies\Microsoft\Windows\DataCollection
        TelemetryProxyServer (REG_SZ host:port, no scheme) and DisableEnterpriseAuthProxy
        (REG_DWORD 1);
      - the Defender Antivirus proxy policy: HKLM\SOFTWARE\Policies\Microsoft\Windows Defender
        ProxyServer (REG_SZ http://host:port) and ProxyBypass (REG_SZ, semicolon list; removed
        when the bypass list is empty).
    WinINet (the per-user "Internet Options" / browser proxy) is deliberately left alone: the
    Defender for Servers agents run as services and WinINet settings have limited or no effect
    on them; they are a recurrent cause of confusion and are no option on Windows Server.
    No credentials are taken or printed: the MDE proxy settings support no authentication.

.PARAMETER ProxyUrl
    http://host:port - plain http, a port, no user:password@, no path.

.PARAMETER BypassList
    Comma-separated WinHTTP bypass entries (host, *.domain, 10.*, <local>); may be empty.
    WinHTTP has no CIDR ranges, so entries with "/" are refused.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$ProxyUrl,
    [string]$BypassList = ""
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$ScriptName = 'windows-os-proxy.ps1'

function Stop-WithError([string]$Message, [int]$Code = 1) {
    [Console]::Error.WriteLine("${ScriptName}: error: $Message")
    exit $Code
}

# Returns "host:port". Never echoes a rejected value: it may hold a password.
function Get-ProxyHostPort([string]$Url) {
    $fix = 'set ProxyUrl to http://host:port (plain http, a port, no user:password@, no path)'
    if ([string]::IsNullOrEmpty($Url)) { Stop-WithError "ProxyUrl is empty; $fix" 2 }
    if (-not $Url.StartsWith('http://', [StringComparison]::Ordinal)) {
        Stop-WithError "ProxyUrl must use the http:// scheme; $fix" 2
    }
    $rest = $Url.Substring(7)
    if ($rest.Contains('@')) {
        Stop-WithError "ProxyUrl must not carry credentials (MDE does not support authenticated proxies); $fix" 2
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

# Returns the bypass entries joined by ";" (trimmed, empty ones dropped).
function Get-BypassString([string]$List) {
    $fix = 'set BypassList to a comma-separated list such as <local>,*.contoso.com,10.*'
    $entries = @()
    foreach ($raw in ($List -split ',')) {
        $entry = $raw.Trim()
        if ($entry.Length -eq 0) { continue }
        if ($entry.Contains('/')) { Stop-WithError "BypassList: WinHTTP does not take CIDR ranges, use wildcards such as 10.*; $fix" 2 }
        if ($entry -cnotmatch '^(?:<local>|[A-Za-z0-9._*:\[\]-]+)$') {
            Stop-WithError "BypassList has an entry with characters other than letters, digits and . _ * : - [ ]; $fix" 2
        }
        $entries += $entry
    }
    return ($entries -join ';')
}

# The 64-bit registry view, also from a 32-bit PowerShell (the policies are read by 64-bit
# services).
function Open-Hklm64 {
    return [Microsoft.Win32.RegistryKey]::OpenBaseKey(
        [Microsoft.Win32.RegistryHive]::LocalMachine, [Microsoft.Win32.RegistryView]::Registry64)
}

function Set-RegistryValue([string]$SubKey, [string]$Name, $Value, [Microsoft.Win32.RegistryValueKind]$Kind) {
    $base = Open-Hklm64
    $key = $base.CreateSubKey($SubKey)
    try {
        $current = $key.GetValue($Name, $null, [Microsoft.Win32.RegistryValueOptions]::DoNotExpandEnvironmentNames)
        if ($null -ne $current -and $key.GetValueKind($Name) -eq $Kind -and
            [string]::Equals([string]$current, [string]$Value, [StringComparison]::Ordinal)) {
            Write-Output "unchanged: HKLM\$SubKey\$Name"
            return
        }
        $key.SetValue($Name, $Value, $Kind)
        Write-Output "changed: HKLM\$SubKey\$Name"
    }
    finally {
        $key.Close()
        $base.Close()
    }
}

function Remove-RegistryValue([string]$SubKey, [string]$Name) {
    $base = Open-Hklm64
    $key = $base.OpenSubKey($SubKey, $true)
    try {
        if ($null -eq $key -or $null -eq $key.GetValue($Name, $null)) {
            Write-Output "unchanged: HKLM\$SubKey\$Name (not set)"
            return
        }
        $key.DeleteValue($Name)
        Write-Output "changed: HKLM\$SubKey\$Name (removed)"
    }
    finally {
        if ($null -ne $key) { $key.Close() }
        $base.Close()
    }
}

# Reads the current WinHTTP proxy from the WinHttpSettings blob. The blob layout (flags at
# byte 8, then length-prefixed ASCII proxy and bypass strings from byte 12) is not documented
# by Microsoft: when it cannot be read this returns $null and the proxy is simply set again,
# which netsh does harmlessly.
function Get-WinHttpProxy {
    $base = Open-Hklm64
    try {
        $key = $base.OpenSubKey('SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\Connections')
        if ($null -eq $key) { return $null }
        try { $blob = $key.GetValue('WinHttpSettings', $null) } finally { $key.Close() }
        if ($blob -isnot [byte[]] -or $blob.Length -lt 20) { return $null }
        $flags = [BitConverter]::ToInt32($blob, 8)
        $proxyLength = [BitConverter]::ToInt32($blob, 12)
        if ($proxyLength -lt 0 -or 20 + $proxyLength -gt $blob.Length) { return $null }
        $proxy = [Text.Encoding]::ASCII.GetString($blob, 16, $proxyLength)
        $bypassLength = [BitConverter]::ToInt32($blob, 16 + $proxyLength)
        if ($bypassLength -lt 0 -or 20 + $proxyLength + $bypassLength -gt $blob.Length) { return $null }
        $bypass = [Text.Encoding]::ASCII.GetString($blob, 20 + $proxyLength, $bypassLength)
        return [pscustomobject]@{ Flags = $flags; Proxy = $proxy; Bypass = $bypass }
    }
    catch {
        return $null
    }
    finally {
        $base.Close()
    }
}

function Set-WinHttpProxy([string]$HostPort, [string]$Bypass) {
    $current = Get-WinHttpProxy
    if ($null -ne $current -and ($current.Flags -band 2) -and
        [string]::Equals($current.Proxy, $HostPort, [StringComparison]::Ordinal) -and
        [string]::Equals($current.Bypass, $Bypass, [StringComparison]::Ordinal)) {
        Write-Output "unchanged: WinHTTP proxy $HostPort (bypass '$Bypass')"
        return
    }
    # A 32-bit PowerShell on 64-bit Windows would run the 32-bit netsh, which sets the 32-bit
    # WinHTTP settings only; Sysnative reaches the 64-bit one.
    $netsh = Join-Path $env:SystemRoot 'System32\netsh.exe'
    if ([Environment]::Is64BitOperatingSystem -and -not [Environment]::Is64BitProcess) {
        $netsh = Join-Path $env:SystemRoot 'Sysnative\netsh.exe'
    }
    # No quotes inside the arguments: the values hold no spaces (checked above), and embedded
    # quotes are passed differently by Windows PowerShell 5.1 and PowerShell 7.
    $netshArgs = @('winhttp', 'set', 'proxy', "proxy-server=$HostPort")
    if ($Bypass.Length -gt 0) { $netshArgs += "bypass-list=$Bypass" }
    $output = & $netsh @netshArgs
    if ($LASTEXITCODE -ne 0) {
        Stop-WithError "netsh winhttp set proxy failed with exit code ${LASTEXITCODE}: $($output -join ' ')"
    }
    Write-Output "changed: WinHTTP proxy $HostPort (bypass '$Bypass')"
}

try {
    $hostPort = Get-ProxyHostPort $ProxyUrl
    $bypass = Get-BypassString $BypassList

    Set-WinHttpProxy $hostPort $bypass

    $dataCollection = 'SOFTWARE\Policies\Microsoft\Windows\DataCollection'
    Set-RegistryValue $dataCollection 'TelemetryProxyServer' $hostPort ([Microsoft.Win32.RegistryValueKind]::String)
    Set-RegistryValue $dataCollection 'DisableEnterpriseAuthProxy' 1 ([Microsoft.Win32.RegistryValueKind]::DWord)

    $defender = 'SOFTWARE\Policies\Microsoft\Windows Defender'
    Set-RegistryValue $defender 'ProxyServer' "http://$hostPort" ([Microsoft.Win32.RegistryValueKind]::String)
    if ($bypass.Length -gt 0) {
        Set-RegistryValue $defender 'ProxyBypass' $bypass ([Microsoft.Win32.RegistryValueKind]::String)
    }
    else {
        Remove-RegistryValue $defender 'ProxyBypass'
    }

    Write-Output "done: operating-system proxy for Defender for Endpoint is http://$hostPort"
    exit 0
}
catch {
    Stop-WithError "$($_.Exception.Message)" 1
}
