<#
.SYNOPSIS
    Gives the Qualys Cloud Agent (Defender for Servers' legacy vulnerability assessment) its
    proxy on a Windows machine.

.DESCRIPTION
    Run as SYSTEM through Azure Run Command (named parameters). The Qualys extension takes no
    proxy setting, so the proxy can only be set after the extension has installed the agent:
    this script waits for QualysProxy.exe, then runs "QualysProxy.exe /u <ProxyUrl>". Setting
    the same proxy again leaves the agent as it was, so running this twice is harmless.

    UNCONFIRMED: the path %ProgramFiles%\Qualys\QualysAgent\QualysProxy.exe and its /u switch
    come from community scripts, not from Microsoft or Qualys documentation.

.PARAMETER ProxyUrl
    http://host:port - plain http, a port, no user:password@, no path.

.PARAMETER WaitSeconds
    How long to wait for the agent to be installed; default 1800.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)][string]$ProxyUrl,
    [int]$WaitSeconds = 1800
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$ScriptName = 'windows-qualys-proxy.ps1'
$PollSeconds = 10

function Stop-WithError([string]$Message, [int]$Code = 1) {
    [Console]::Error.WriteLine("${ScriptName}: error: $Message")
    exit $Code
}

# Never echoes a rejected value: it may hold a password.
function Assert-ProxyUrl([string]$Url) {
    $fix = 'set ProxyUrl to http://host:port (plain http, a port, no user:password@, no path)'
    if ([string]::IsNullOrEmpty($Url)) { Stop-WithError "ProxyUrl is empty; $fix" 2 }
    if (-not $Url.StartsWith('http://', [StringComparison]::Ordinal)) { Stop-WithError "ProxyUrl must use the http:// scheme; $fix" 2 }
    $rest = $Url.Substring(7)
    if ($rest.Contains('@')) {
        Stop-WithError "ProxyUrl must not carry credentials (no credentials are ever passed to these scripts); $fix" 2
    }
    if ($rest.IndexOfAny([char[]]'/?#') -ge 0) { Stop-WithError "ProxyUrl must not have a path, query or fragment; $fix" 2 }
    $label = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?'
    $m = [regex]::Match($rest, "^$label(?:\.$label)*:(?<port>[1-9][0-9]{0,4})$")
    if (-not $m.Success) {
        Stop-WithError "ProxyUrl must be http://host:port with a DNS name or IPv4 address and a port; $fix" 2
    }
    if ([int]$m.Groups['port'].Value -gt 65535) { Stop-WithError "ProxyUrl port must be from 1 to 65535; $fix" 2 }
}

try {
    Assert-ProxyUrl $ProxyUrl
    if ($WaitSeconds -lt 0) { Stop-WithError 'WaitSeconds must be 0 or more' 2 }

    # The Qualys agent is 64-bit: ProgramW6432 is the 64-bit Program Files even from a 32-bit
    # PowerShell, where ProgramFiles would be "Program Files (x86)".
    $programFiles = $env:ProgramW6432
    if ([string]::IsNullOrEmpty($programFiles)) { $programFiles = $env:ProgramFiles }
    $tool = Join-Path $programFiles 'Qualys\QualysAgent\QualysProxy.exe'

    # The time waited is the sum of the sleeps, so the bound does not depend on how long each
    # check takes.
    $waited = 0
    if (-not (Test-Path -LiteralPath $tool -PathType Leaf)) {
        Write-Output "waiting: $tool is not there yet; waiting up to ${WaitSeconds}s"
        while (-not (Test-Path -LiteralPath $tool -PathType Leaf)) {
            if ($waited -ge $WaitSeconds) {
                Stop-WithError "the Qualys Cloud Agent was not installed after ${WaitSeconds}s ($tool not found); deploy the Qualys extension first, or raise WaitSeconds"
            }
            $step = [Math]::Min($PollSeconds, $WaitSeconds - $waited)
            Start-Sleep -Seconds $step
            $waited += $step
        }
        Write-Output "found: $tool after ${waited}s"
    }

    $output = & $tool /u $ProxyUrl
    if ($LASTEXITCODE -ne 0) {
        Stop-WithError "QualysProxy.exe /u failed with exit code ${LASTEXITCODE}: $(@($output) -join ' ')"
    }
    if ($null -ne $output) { $output | ForEach-Object { Write-Output "QualysProxy: $_" } }
    Write-Output "done: Qualys Cloud Agent proxy is $ProxyUrl"
    exit 0
}
catch {
    Stop-WithError "$($_.Exception.Message)" 1
}
