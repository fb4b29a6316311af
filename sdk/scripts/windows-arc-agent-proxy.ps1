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
    (such as the Entra ID and Arc hosts of the machine's cloud). Port 80: an HTTP GET through
    the proxy, which must not be refused (403, 407, 5xx). Any other port: an HTTP CONNECT
    through the proxy, which must answer 200, then a TLS 1.2 handshake with the target that the
    machine's trust store accepts (a proxy presenting a certificate the machine does not trust
    fails, named by its issuer). Default: empty (no check).

.PARAMETER RouteCheckPrivateHosts
    DNS names separated by commas that must resolve only to private addresses (the Arc private
    link names). Default: empty (no check).

.PARAMETER RouteCheckTimeoutSeconds
    Whole seconds, 1 to 120, that bound each probe. Default: "10".

.PARAMETER RouteCheckTotalSeconds
    Whole seconds, 1 to 540, that bound all probes together (the run command has 300); targets
    left when it runs out fail as not probed. Default: "180".
#>
[CmdletBinding()]
param(
    [string]$ProxyUrl = '',
    [string]$ArcProxyBypass = '',
    [string]$RouteCheckHosts = '',
    [string]$RouteCheckPrivateHosts = '',
    [string]$RouteCheckTimeoutSeconds = '10',
    [string]$RouteCheckTotalSeconds = '180'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$ScriptName = 'windows-arc-agent-proxy.ps1'
$AllowedBypass = @('AAD', 'ARM', 'Arc', 'AMA', 'ArcData')

function Stop-WithError([string]$Message, [int]$Code = 1) {
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

# Output is the standard output (the JSON "config get --json" prints); the standard error joins
# it only when the command failed, to explain why.
function Invoke-Azcmagent([string]$Agent, [string[]]$Arguments) {
    $result = Invoke-Native $Agent $Arguments
    $output = if ($result.ExitCode -eq 0) { $result.StdOut } else { ($result.StdOut + "`n" + $result.StdErr).Trim() }
    return [pscustomobject]@{ ExitCode = $result.ExitCode; Output = $output }
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
    $timeout = Get-Seconds 'RouteCheckTimeoutSeconds' $RouteCheckTimeoutSeconds 120
    $total = Get-Seconds 'RouteCheckTotalSeconds' $RouteCheckTotalSeconds 540
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
        # ArcProxyBypass names services (AAD, ARM, Arc ...), not hosts: no host is matched against it here.
        $route = Invoke-RouteCheck $hostPort $targets $privateNames $timeout $total @()
        $route.Ok | ForEach-Object { Write-Output $_ }
        $RouteFailures = $route.Failures
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
