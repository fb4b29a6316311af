<#
.SYNOPSIS
    Points the Azure Connected Machine (Azure Arc) agent of a Windows machine at an HTTP proxy
    (agent 1.13+; proxy bypass 1.15+), synchronously, and reads the result back.

.DESCRIPTION
    Run as SYSTEM through Arc Run Command (named parameters; Windows PowerShell 5.1).
    Idempotent: a setting is changed only when "azcmagent config get <key> --json" shows
    another value. Before a new proxy is committed, the route through it is proven (HTTP
    CONNECT to each RouteCheckHosts entry); when that fails the agent keeps its old settings and
    the run fails, so a wrong proxy URL never cuts the machine off. After "config set", both
    keys are read back as JSON; a mismatch restores the previous values and fails the run.
    Sources (MicrosoftDocs/azure-management-docs):
      - articles/azure-arc/servers/manage-agent-proxy-settings.md: "azcmagent config set
        proxy.url", "config set proxy.bypass" with comma-separated AAD, ARM, Arc, AMA, ArcData,
        "config clear proxy.bypass"; "You don't need to restart any services when reconfiguring
        the proxy settings by using the azcmagent config command", which is why the change runs
        inline rather than from a scheduled task;
      - articles/azure-arc/servers/azcmagent-config.md and includes/azcmagent-common-flags.md:
        "config get [property]" and the "-j, --json" flag.
    The agent supports no proxy authentication: a proxy URL with user:password@ is refused and
    a refused value is never echoed.
    Exit codes: 0 done; 1 the agent, the route check or the read-back failed; 2 a parameter is
    wrong.

.PARAMETER ProxyUrl
    http://host:port - plain http, a port, no user:password@, no path. Required.

.PARAMETER ArcProxyBypass
    azcmagent proxy.bypass values separated by commas, each one of AAD, ARM, Arc, AMA, ArcData
    (exact case). Default: empty, which clears the bypass.

.PARAMETER RouteCheckHosts
    host:port entries separated by commas that the agent must reach through the new proxy
    (such as the Entra ID, Resource Manager and Arc hosts of the machine's cloud). Each gets an
    HTTP CONNECT through the proxy, which must answer 200. Default: empty (no check).

.PARAMETER RouteCheckPrivateHosts
    DNS names separated by commas that must resolve only to private addresses (the Arc private
    link names). Default: empty (no check).

.PARAMETER RouteCheckTimeoutSeconds
    Whole seconds, 1 to 120, that bound each probe. Default: "10".
#>
[CmdletBinding()]
param(
    [string]$ProxyUrl = '',
    [string]$ArcProxyBypass = '',
    [string]$RouteCheckHosts = '',
    [string]$RouteCheckPrivateHosts = '',
    [string]$RouteCheckTimeoutSeconds = '10'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$ScriptName = 'windows-arc-agent-proxy.ps1'
$AllowedBypass = @('AAD', 'ARM', 'Arc', 'AMA', 'ArcData')
# Route-check failures found by this run.
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

# The bypass values, without empty entries and repeats, sorted (azcmagent treats them as a set).
function Get-BypassValues([string]$List) {
    $fix = "set ArcProxyBypass to values separated by commas from $($AllowedBypass -join ', ') (exact case), or leave it out"
    $values = New-Object System.Collections.Generic.List[string]
    $i = 0
    foreach ($entry in (Split-List $List)) {
        $i++
        if ($AllowedBypass -cnotcontains $entry) { Stop-WithError "ArcProxyBypass entry $i is not a value azcmagent knows; $fix" 2 }
        if (-not $values.Contains($entry)) { $values.Add($entry) }
    }
    return , @($values.ToArray() | Sort-Object -CaseSensitive)
}

# --- The Windows boundary: the only functions that touch the system (the tests mock these). ---

# ProgramW6432 is the 64-bit Program Files even from a 32-bit PowerShell. Returns $null when
# the agent is not installed.
function Find-Azcmagent {
    $programFiles = $env:ProgramW6432
    if ([string]::IsNullOrEmpty($programFiles)) { $programFiles = $env:ProgramFiles }
    $agent = Join-Path $programFiles 'AzureConnectedMachineAgent\azcmagent.exe'
    if (Test-Path -LiteralPath $agent -PathType Leaf) { return $agent }
    return $null
}

function Invoke-Azcmagent([string]$Agent, [string[]]$Arguments) {
    $output = & $Agent @Arguments 2>&1
    return [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = (@($output) -join "`n") }
}

# --- Reading and writing the agent's settings. ---

# The value of one key from "config get <key> --json". Microsoft documents the flag, not the
# shape of the JSON, so only these shapes are read: a JSON string, an array of strings, null, or
# an object whose "value" (any case) or "<key>" property is one of those. Anything else stops
# the run rather than guess.
function ConvertFrom-AgentJson([string]$Text, [string]$Key) {
    try { $parsed = ConvertFrom-Json -InputObject $Text }
    catch { Stop-WithError "azcmagent config get $Key --json did not print JSON; check the agent version (1.15 or later) with 'azcmagent version'" }
    if ($parsed -is [System.Management.Automation.PSCustomObject]) {
        $property = @($parsed.PSObject.Properties | Where-Object { $_.Name -eq 'value' -or $_.Name -eq $Key })
        if ($property.Count -ne 1) {
            Stop-WithError "azcmagent config get $Key --json printed JSON without one 'value' or '$Key' property; refusing to guess the current setting"
        }
        $parsed = $property[0].Value
    }
    if ($null -eq $parsed) { return }
    $values = @($parsed)
    foreach ($v in $values) {
        if ($v -isnot [string]) { Stop-WithError "azcmagent config get $Key --json printed a value that is not text; refusing to guess the current setting" }
    }
    # Unrolled on purpose: callers collect the values with @(...).
    return ($values | ForEach-Object { $_.Trim() } | Where-Object { $_.Length -gt 0 })
}

function Get-AgentSetting([string]$Agent, [string]$Key) {
    $result = Invoke-Azcmagent $Agent @('config', 'get', $Key, '--json')
    if ($result.ExitCode -ne 0) { Stop-WithError "azcmagent config get $Key --json failed with exit code $($result.ExitCode)" }
    return (ConvertFrom-AgentJson $result.Output $Key)
}

function Get-AgentProxy([string]$Agent) {
    $url = @(Get-AgentSetting $Agent 'proxy.url')
    $bypass = @(Get-AgentSetting $Agent 'proxy.bypass')
    # "A,B" and ["A","B"] both mean the same set.
    $bypassSet = @(($bypass -join ',') -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_.Length -gt 0 } | Sort-Object -CaseSensitive -Unique)
    return [pscustomobject]@{ Url = (($url -join ',').TrimEnd('/')); Bypass = ($bypassSet -join ',') }
}

function Set-AgentProxy([string]$Agent, [string]$Url, [string]$Bypass) {
    $steps = @()
    if ($Url.Length -gt 0) { $steps += , @('config', 'set', 'proxy.url', $Url) } else { $steps += , @('config', 'clear', 'proxy.url') }
    if ($Bypass.Length -gt 0) { $steps += , @('config', 'set', 'proxy.bypass', $Bypass) } else { $steps += , @('config', 'clear', 'proxy.bypass') }
    foreach ($step in $steps) {
        $result = Invoke-Azcmagent $Agent $step
        if ($result.ExitCode -ne 0) { return "azcmagent $($step[0]) $($step[1]) $($step[2]) failed with exit code $($result.ExitCode)" }
    }
    return $null
}

# Puts the previous values back after a failed change; says whether that worked.
function Restore-AgentProxy([string]$Agent, $Previous) {
    $why = Set-AgentProxy $Agent $Previous.Url $Previous.Bypass
    if ($null -ne $why) { return "restoring the previous settings failed too ($why)" }
    $now = Get-AgentProxy $Agent
    if ($now.Url -ne $Previous.Url -or $now.Bypass -ne $Previous.Bypass) { return 'restoring the previous settings did not read back' }
    return 'the previous settings are back in place'
}

try {
    $hostPort = Get-ProxyHostPort $ProxyUrl
    $wanted = [pscustomobject]@{ Url = "http://$hostPort"; Bypass = ((Get-BypassValues $ArcProxyBypass) -join ',') }
    $timeout = Get-TimeoutSeconds $RouteCheckTimeoutSeconds
    $targets = Get-RouteTargets $RouteCheckHosts
    $privateNames = Get-PrivateNames $RouteCheckPrivateHosts

    $agent = Find-Azcmagent
    if ($null -eq $agent) {
        Stop-WithError 'azcmagent.exe was not found under Program Files\AzureConnectedMachineAgent; install and connect the Azure Connected Machine agent first'
    }

    $previous = Get-AgentProxy $agent
    $urlSame = [string]::Equals($previous.Url, $wanted.Url, [StringComparison]::OrdinalIgnoreCase)
    $bypassSame = [string]::Equals($previous.Bypass, $wanted.Bypass, [StringComparison]::Ordinal)

    if ($targets.Count -eq 0 -and $privateNames.Count -eq 0) {
        Write-Output 'route: not checked (RouteCheckHosts and RouteCheckPrivateHosts are empty)'
    }
    else {
        Invoke-RouteCheck $hostPort $targets $privateNames $timeout
        if ($RouteFailures.Count -gt 0) {
            $kept = if ($urlSame -and $bypassSame) { 'the agent settings were already these' } else { 'the agent keeps its previous proxy settings' }
            Stop-WithError "route check through http://$hostPort failed for $($RouteFailures.Count) of $($targets.Count + $privateNames.Count), ${kept}: $($RouteFailures -join '; ')"
        }
    }

    if ($urlSame -and $bypassSame) {
        Write-Output "unchanged: azcmagent proxy.url is $($wanted.Url), proxy.bypass is '$($wanted.Bypass)'"
    }
    else {
        $why = Set-AgentProxy $agent $wanted.Url $wanted.Bypass
        if ($null -eq $why) {
            $now = Get-AgentProxy $agent
            if ($now.Url -ne $wanted.Url -or $now.Bypass -ne $wanted.Bypass) {
                $why = "azcmagent read back proxy.url '$(Get-Printable $now.Url)' and proxy.bypass '$(Get-Printable $now.Bypass)' after setting '$($wanted.Url)' and '$($wanted.Bypass)'"
            }
        }
        if ($null -ne $why) { Stop-WithError "$why; $(Restore-AgentProxy $agent $previous)" }
        Write-Output "changed: azcmagent proxy.url is $($wanted.Url), proxy.bypass is '$($wanted.Bypass)' (read back)"
    }
    Write-Output "done: Azure Arc agent proxy is $($wanted.Url)"
    exit 0
}
catch {
    Stop-WithError "$($_.Exception.Message)" 1
}
