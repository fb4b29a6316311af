# Runs the Pester suite in this folder and prints one JSON line with the counts, then exits
# non-zero when anything failed. Used by test/scripts.windows.spec.ts (npm test).
param(
    [Parameter(Mandatory = $true)][string]$PesterModule,
    [string]$Path = $PSScriptRoot  # one path, or several separated by commas
)
$ErrorActionPreference = 'Stop'
Import-Module $PesterModule -Force
$config = New-PesterConfiguration
$config.Run.Path = @($Path -split ",")
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Normal'
$result = Invoke-Pester -Configuration $config
$summary = [ordered]@{
    pester = $result.Version
    passed = $result.PassedCount
    failed = $result.FailedCount
    skipped = $result.SkippedCount
    notRun = $result.NotRunCount
    total = $result.TotalCount
    containersFailed = $result.FailedContainersCount
}
Write-Output ('PESTER-SUMMARY ' + ($summary | ConvertTo-Json -Compress))
if ($result.FailedCount -gt 0 -or $result.FailedContainersCount -gt 0 -or $result.Result -ne 'Passed') { exit 1 }
exit 0
