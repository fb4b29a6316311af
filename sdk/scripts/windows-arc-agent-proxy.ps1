<#
.SYNOPSIS
    Points the Azure Connected Machine (Azure Arc) agent of a Windows machine at an HTTP proxy,
    with its agent-specific settings (agent 1.13+; proxy bypass 1.15+).

.DESCRIPTION
    Run as SYSTEM through Arc Run Command (named parameters). Idempotent: azcmagent settings
    are changed only when "azcmagent config get" shows another value. The Arc agent supports
    no proxy authentication, so no credentials are taken or printed.

.PARAMETER ProxyUrl
    http://host:port - plain http, a port, no user:password@, no path.

.PARAMETER ArcProxyBypass
    Comma-separated azcmagent proxy.bypass values, each one of AAD, ARM, Arc, AMA, ArcData
    (exact case); empty clears the bypass.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$ProxyUrl,
    [string]$ArcProxyBypass = ""
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$ScriptName = 'windows-arc-agent-proxy.ps1'
$AllowedBypass = @('AAD', 'ARM', 'Arc', 'AMA', 'ArcData')
# Seconds before the scheduled task applies the change (see Register-DetachedChange).
$ApplyDelaySeconds = 30
$TaskPath = '\defender-servers\'
$TaskName = 'arc-agent-proxy'

function Stop-WithError([string]$Message, [int]$Code = 1) {
    [Console]::Error.WriteLine("${ScriptName}: error: $Message")
    exit $Code
}

# Never echoes a rejected value: it may hold a password.
function Assert-ProxyUrl([string]$Url) {
    $fix = 'set ProxyUrl to http://host:port (plain http, a port, no user:password@, no path)'
    if ([string]::IsNullOrEmpty($Url)) { Stop-WithError "ProxyUrl is empty; $fix" 2 }
    if (-not $Url.StartsWith('http://', [StringComparison]::Ordinal)) {
        Stop-WithError "ProxyUrl must use the http:// scheme (the Arc agent supports no TLS connection to the proxy); $fix" 2
    }
    $rest = $Url.Substring(7)
    if ($rest.Contains('@')) {
        Stop-WithError "ProxyUrl must not carry credentials (the Arc agent does not support authenticated proxies); $fix" 2
    }
    if ($rest.IndexOfAny([char[]]'/?#') -ge 0) { Stop-WithError "ProxyUrl must not have a path, query or fragment; $fix" 2 }
    $label = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?'
    $m = [regex]::Match($rest, "^$label(?:\.$label)*:(?<port>[1-9][0-9]{0,4})$")
    if (-not $m.Success) {
        Stop-WithError "ProxyUrl must be http://host:port with a DNS name or IPv4 address and a port; $fix" 2
    }
    if ([int]$m.Groups['port'].Value -gt 65535) { Stop-WithError "ProxyUrl port must be from 1 to 65535; $fix" 2 }
}

# Returns the bypass values, trimmed, without empty entries and repeats, in the given order.
function Get-BypassValues([string]$List) {
    $fix = "set ArcProxyBypass to a comma-separated list of $($AllowedBypass -join ', ') (exact case), or leave it empty"
    $values = New-Object System.Collections.Generic.List[string]
    foreach ($raw in ($List -split ',')) {
        $entry = $raw.Trim()
        if ($entry.Length -eq 0) { continue }
        if ($AllowedBypass -cnotcontains $entry) { Stop-WithError "ArcProxyBypass has a value azcmagent does not know; $fix" 2 }
        if (-not $values.Contains($entry)) { $values.Add($entry) }
    }
    return , $values.ToArray()
}

function Invoke-ConfigGet([string]$Agent, [string]$Property) {
    $output = & $Agent config get $Property
    if ($LASTEXITCODE -ne 0) { Stop-WithError "azcmagent config get $Property failed with exit code $LASTEXITCODE" }
    return (@($output) -join "`n")
}

# The output format of "azcmagent config get" is not documented, so only what matters is
# taken from it: the first http:// URL (without a trailing slash) ...
function Get-UrlFromOutput([string]$Text) {
    $m = [regex]::Match($Text, 'http://[^\s"'',\[\]]+')
    if (-not $m.Success) { return '' }
    return $m.Value.TrimEnd('/')
}

# ... and the bypass service names, as a sorted set.
function Get-BypassSet([string[]]$Values) {
    return ((@($Values) | Sort-Object -Unique -CaseSensitive) -join ',')
}

function Get-BypassSetFromOutput([string]$Text) {
    $found = @([regex]::Matches($Text, '\b(?:ArcData|AAD|ARM|Arc|AMA)\b') | ForEach-Object { $_.Value })
    return (Get-BypassSet $found)
}

# azcmagent restarts the agent's services when its proxy settings change, and those services
# (the extension service) host this very run command: run inline, the change could end this
# script before it reports. A one-shot scheduled task, running as SYSTEM a little later,
# applies the change outside those services; its actions run one after the other, in order.
function Register-DetachedChange([string]$Agent, [string[]]$Arguments) {
    $actions = @($Arguments | ForEach-Object { New-ScheduledTaskAction -Execute $Agent -Argument $_ })
    $start = (Get-Date).AddSeconds($ApplyDelaySeconds)
    $trigger = New-ScheduledTaskTrigger -Once -At $start
    # An end boundary lets Task Scheduler delete the spent task by itself.
    $trigger.EndBoundary = $start.AddMinutes(30).ToString('s')
    $principal = New-ScheduledTaskPrincipal -UserId 'NT AUTHORITY\SYSTEM' -LogonType ServiceAccount -RunLevel Highest
    $settings = New-ScheduledTaskSettingsSet -StartWhenAvailable -AllowStartIfOnBatteries -DontStopIfGoingOnBatteries `
        -ExecutionTimeLimit (New-TimeSpan -Minutes 10) -DeleteExpiredTaskAfter (New-TimeSpan -Hours 1)
    # -Force replaces a task left pending by an earlier run, so the latest settings win.
    Register-ScheduledTask -TaskPath $TaskPath -TaskName $TaskName -Action $actions -Trigger $trigger `
        -Principal $principal -Settings $settings -Force | Out-Null
}

try {
    Assert-ProxyUrl $ProxyUrl
    $bypass = Get-BypassValues $ArcProxyBypass
    $bypassText = $bypass -join ','

    # ProgramW6432 is the 64-bit Program Files even from a 32-bit PowerShell.
    $programFiles = $env:ProgramW6432
    if ([string]::IsNullOrEmpty($programFiles)) { $programFiles = $env:ProgramFiles }
    $agent = Join-Path $programFiles 'AzureConnectedMachineAgent\azcmagent.exe'
    if (-not (Test-Path -LiteralPath $agent -PathType Leaf)) {
        Stop-WithError "azcmagent.exe was not found at $agent; install and connect the Azure Connected Machine agent first"
    }

    $steps = New-Object System.Collections.Generic.List[string]
    $currentUrl = Get-UrlFromOutput (Invoke-ConfigGet $agent 'proxy.url')
    if ([string]::Equals($currentUrl, $ProxyUrl, [StringComparison]::Ordinal)) {
        Write-Output "unchanged: azcmagent proxy.url is $ProxyUrl"
    }
    else {
        $steps.Add("config set proxy.url `"$ProxyUrl`"")
        Write-Output "change: azcmagent proxy.url -> $ProxyUrl"
    }

    $currentBypass = Get-BypassSetFromOutput (Invoke-ConfigGet $agent 'proxy.bypass')
    if ([string]::Equals($currentBypass, (Get-BypassSet $bypass), [StringComparison]::Ordinal)) {
        Write-Output "unchanged: azcmagent proxy.bypass is '$bypassText'"
    }
    elseif ($bypass.Length -eq 0) {
        $steps.Add('config clear proxy.bypass')
        Write-Output 'change: azcmagent proxy.bypass -> cleared'
    }
    else {
        $steps.Add("config set proxy.bypass `"$bypassText`"")
        Write-Output "change: azcmagent proxy.bypass -> $bypassText"
    }

    if ($steps.Count -gt 0) {
        Register-DetachedChange $agent $steps.ToArray()
        Write-Output "scheduled: task $TaskPath$TaskName applies the azcmagent change in ${ApplyDelaySeconds}s; check with 'azcmagent show'"
    }
    Write-Output "done: Azure Arc agent proxy is $ProxyUrl"
    exit 0
}
catch {
    Stop-WithError "$($_.Exception.Message)" 1
}
