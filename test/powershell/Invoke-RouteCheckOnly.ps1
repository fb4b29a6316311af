# Runs the route check of a Windows run-command script, and nothing else: the script's own
# functions (read from its AST, so the body that writes settings never runs) are defined here and
# its Invoke-RouteCheck is called with the given targets. Prints one JSON line:
#   ROUTE-CHECK {"ok":[...],"failures":[...],"seconds":n}
# Used by test/routeCheck.windows.spec.ts, which supplies the proxy, the targets and the trust store.
param(
    [Parameter(Mandatory = $true)][string]$Script,
    [Parameter(Mandatory = $true)][string]$ProxyUrl,
    [string]$RouteCheckHosts = '',
    [string]$RouteCheckPrivateHosts = '',
    [string]$BypassList = '',
    [string]$RouteCheckTimeoutSeconds = '10',
    [string]$RouteCheckTotalSeconds = '300'
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$tokens = $null
$errors = $null
$ast = [System.Management.Automation.Language.Parser]::ParseFile($Script, [ref]$tokens, [ref]$errors)
if ($errors.Count -gt 0) { throw "$Script does not parse: $($errors[0].Message)" }
$functions = $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false)
. ([scriptblock]::Create((($functions | ForEach-Object { $_.Extent.Text }) -join "`n`n")))
# What the scripts' Stop-WithError reads.
$ScriptName = Split-Path -Leaf $Script
$Undo = New-Object System.Collections.Generic.List[object]

$hostPort = Get-ProxyHostPort $ProxyUrl
$timeout = Get-Seconds 'RouteCheckTimeoutSeconds' $RouteCheckTimeoutSeconds 120
$total = Get-Seconds 'RouteCheckTotalSeconds' $RouteCheckTotalSeconds 540
$targets = Get-RouteTargets $RouteCheckHosts
$names = Get-PrivateNames $RouteCheckPrivateHosts
$watch = [Diagnostics.Stopwatch]::StartNew()
$result = Invoke-RouteCheck $hostPort $targets $names $timeout $total (Split-List $BypassList)
$watch.Stop()
$summary = [ordered]@{ ok = @($result.Ok); failures = @($result.Failures); seconds = [Math]::Round($watch.Elapsed.TotalSeconds, 2) }
Write-Output ('ROUTE-CHECK ' + (ConvertTo-Json -InputObject $summary -Compress -Depth 3))
