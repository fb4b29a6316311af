# Calls one function of a Windows run-command script with string arguments, and nothing else of
# it: the script's functions are read from its AST (the body that writes settings never runs).
# Prints "RESULT <value>" on success; the script's own Stop-WithError exits with its code.
param(
    [Parameter(Mandatory = $true)][string]$Script,
    [Parameter(Mandatory = $true)][string]$Function,
    [Parameter(ValueFromRemainingArguments = $true)][string[]]$Arguments = @()
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$ast = [System.Management.Automation.Language.Parser]::ParseFile($Script, [ref]$null, [ref]$null)
# Script-level assignments (limits, fixed lists) and every function, in file order.
$parts = @($ast.EndBlock.Statements | Where-Object {
        $_ -is [System.Management.Automation.Language.FunctionDefinitionAst] -or
        ($_ -is [System.Management.Automation.Language.AssignmentStatementAst] -and $_.Left.Extent.Text -notmatch '^\$ErrorActionPreference')
    } | ForEach-Object { $_.Extent.Text })
. ([scriptblock]::Create($parts -join "`n`n"))
$ScriptName = Split-Path -Leaf $Script
$result = & $Function @Arguments
Write-Output "RESULT $result"
