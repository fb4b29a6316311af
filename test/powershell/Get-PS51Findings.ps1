# Lists what in a script Windows PowerShell 5.1 (the Run Command host on Windows Server) does not
# have: syntax added in PowerShell 6/7, cmdlets it lacks, parameters its cmdlets lack, and
# automatic variables it does not define. Uses the real parser and walks the AST (and the tokens
# for the null-conditional operators, which the AST keeps only as a flag).
# Usage: . ./Get-PS51Findings.ps1; Get-PS51Findings -Path x.ps1   (or pwsh -File it with the paths: prints findings,
# exits 1 when there are any).
param([Parameter(ValueFromRemainingArguments = $true)][string[]]$Path = @())

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0

$script:PS7OnlyCommands = @(
    'Join-String', 'Test-Json', 'Get-Error', 'Get-Uptime', 'ConvertFrom-Markdown', 'Show-Markdown',
    'Get-MarkdownOption', 'Set-MarkdownOption', 'Remove-Alias', 'Remove-Service', 'Get-PSSubsystem',
    'Enable-ExperimentalFeature', 'Disable-ExperimentalFeature', 'Get-ExperimentalFeature'
)

# Cmdlet -> parameters it has only in PowerShell 6/7.
$script:PS7OnlyParameters = @{
    'ForEach-Object' = @('Parallel', 'ThrottleLimit', 'TimeoutSeconds', 'AsJob', 'UseNewRunspace')
    'ConvertFrom-Json' = @('AsHashtable', 'Depth', 'NoEnumerate', 'DateKind')
    'ConvertTo-Json' = @('AsArray', 'EnumsAsStrings', 'EscapeHandling')
    'Get-Content' = @('AsByteStream')
    'Set-Content' = @('AsByteStream')
    'Add-Content' = @('AsByteStream')
    'Invoke-WebRequest' = @('SkipCertificateCheck', 'Authentication', 'Token', 'SslProtocol', 'StatusCodeVariable', 'SkipHttpErrorCheck', 'ResponseHeadersVariable', 'NoProxy', 'MaximumRetryCount', 'RetryIntervalSec', 'ConnectionTimeoutSeconds', 'OperationTimeoutSeconds')
    'Invoke-RestMethod' = @('SkipCertificateCheck', 'Authentication', 'Token', 'SslProtocol', 'StatusCodeVariable', 'SkipHttpErrorCheck', 'ResponseHeadersVariable', 'NoProxy', 'MaximumRetryCount', 'RetryIntervalSec', 'ConnectionTimeoutSeconds', 'OperationTimeoutSeconds')
    'Start-Process' = @('Environment')
    'Select-String' = @('Raw', 'NoEmphasis')
    'Get-ChildItem' = @('FollowSymlink')
    'Select-Object' = @('SkipIndex')
    'Where-Object' = @('Not')
    'Split-Path' = @('LeafBase', 'Extension')
    'Import-Module' = @('UseWindowsPowerShell', 'SkipEditionCheck')
}
$script:Aliases = @{ '%' = 'ForEach-Object'; 'foreach' = 'ForEach-Object'; '?' = 'Where-Object'; 'where' = 'Where-Object'; 'gc' = 'Get-Content'; 'sc' = 'Set-Content'; 'ls' = 'Get-ChildItem'; 'dir' = 'Get-ChildItem'; 'gci' = 'Get-ChildItem'; 'select' = 'Select-Object'; 'iwr' = 'Invoke-WebRequest'; 'irm' = 'Invoke-RestMethod'; 'saps' = 'Start-Process'; 'start' = 'Start-Process'; 'sls' = 'Select-String'; 'ipmo' = 'Import-Module' }
$script:PS7OnlyVariables = @('PSStyle', 'IsWindows', 'IsLinux', 'IsMacOS', 'IsCoreCLR', 'PSNativeCommandUseErrorActionPreference', 'PSNativeCommandArgumentPassing')

# True when a command may be a native program: an invocation whose name is not known until it
# runs ("& $exe"), a name with a program extension, or a name that is neither a function of the
# file nor a cmdlet, function or alias PowerShell knows.
function Test-NativeCommand([System.Management.Automation.Language.CommandAst]$Command, [string[]]$FileFunctions) {
    $name = $Command.GetCommandName()
    if ($null -eq $name) { return $true }
    if ($name -match '\.(exe|com|cmd|bat)$') { return $true }
    if ($FileFunctions -contains $name) { return $false }
    $known = @(Get-Command -Name $name -CommandType Cmdlet, Function, Alias -ErrorAction SilentlyContinue)
    return $known.Count -eq 0
}

function Get-PS51Findings([string]$Path) {
    $tokens = $null
    $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$errors)
    $found = New-Object System.Collections.Generic.List[string]
    $name = Split-Path -Leaf $Path
    function Add-Finding($Extent, [string]$What) { $found.Add("${name}:$($Extent.StartLineNumber): $What") }
    $fileFunctions = @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $true) | ForEach-Object { $_.Name })

    foreach ($e in $errors) { Add-Finding $e.Extent "parse error: $($e.Message)" }
    foreach ($t in $tokens) {
        switch ($t.Kind.ToString()) {
            'QuestionDot' { Add-Finding $t.Extent "null-conditional member access '?.' (PowerShell 7)" }
            'QuestionLBracket' { Add-Finding $t.Extent "null-conditional index '?[]' (PowerShell 7)" }
        }
        if (($t.Kind.ToString() -eq 'StringExpandable' -or $t.Kind.ToString() -eq 'HereStringExpandable') -and $t.Text -match '`u\{') {
            Add-Finding $t.Extent 'Unicode escape (backtick u{...}) in a string (PowerShell 6)'
        }
    }
    $nodes = $ast.FindAll({ param($n) $true }, $true)
    foreach ($n in $nodes) {
        $type = $n.GetType().Name
        if ($type -eq 'TernaryExpressionAst') { Add-Finding $n.Extent "ternary operator '? :' (PowerShell 7)" }
        elseif ($type -eq 'PipelineChainAst') { Add-Finding $n.Extent "pipeline chain '&&' or '||' (PowerShell 7)" }
        elseif ($type -eq 'BinaryExpressionAst' -and $n.Operator.ToString() -eq 'QuestionQuestion') { Add-Finding $n.Extent "null-coalescing '??' (PowerShell 7)" }
        elseif ($type -eq 'AssignmentStatementAst' -and $n.Operator.ToString() -eq 'QuestionQuestionEquals') { Add-Finding $n.Extent "null-coalescing assignment '??=' (PowerShell 7)" }
        elseif ($type -eq 'ScriptBlockAst' -and $null -ne $n.PSObject.Properties['CleanBlock'] -and $null -ne $n.CleanBlock) { Add-Finding $n.CleanBlock.Extent "'clean {}' block (PowerShell 7.3)" }
        elseif ($type -eq 'VariableExpressionAst' -and $script:PS7OnlyVariables -contains $n.VariablePath.UserPath) { Add-Finding $n.Extent "automatic variable `$$($n.VariablePath.UserPath) (PowerShell 6/7)" }
        elseif ($type -eq 'CommandAst') {
            # Windows PowerShell 5.1 wraps each stderr line of a native command whose error stream is
            # redirected (2>&1, 2>$null, 2>file, *>&1) in an error record, and $ErrorActionPreference =
            # 'Stop' makes the first one end the script. PowerShell 7.2+ does not, so only this check sees it.
            foreach ($redirection in $n.Redirections) {
                $from = $redirection.FromStream.ToString()
                if (($from -eq 'Error' -or $from -eq 'All') -and (Test-NativeCommand $n $fileFunctions)) {
                    Add-Finding $redirection.Extent "stderr of a native command redirected ($($redirection.Extent.Text)): Windows PowerShell 5.1 makes each stderr line an error, which `$ErrorActionPreference = 'Stop' turns into the end of the script"
                }
            }
            $command = $n.GetCommandName()
            if ($null -eq $command) { continue }
            if ($script:Aliases.ContainsKey($command.ToLowerInvariant())) { $command = $script:Aliases[$command.ToLowerInvariant()] }
            if ($script:PS7OnlyCommands -contains $command) { Add-Finding $n.Extent "command $command (not in Windows PowerShell 5.1)" }
            $key = @($script:PS7OnlyParameters.Keys | Where-Object { $_ -eq $command })
            if ($key.Count -eq 0) { continue }
            foreach ($element in $n.CommandElements) {
                if ($element -isnot [System.Management.Automation.Language.CommandParameterAst]) { continue }
                $given = $element.ParameterName
                foreach ($p in $script:PS7OnlyParameters[$key[0]]) {
                    if ($given.Length -ge 2 -and $p.StartsWith($given, [StringComparison]::OrdinalIgnoreCase)) {
                        Add-Finding $element.Extent "$command -$p (not in Windows PowerShell 5.1)"
                    }
                }
            }
        }
    }
    return , $found.ToArray()
}

if ($Path.Count -gt 0) {
    $all = @()
    foreach ($p in $Path) { $all += Get-PS51Findings $p }
    $all | ForEach-Object { Write-Output $_ }
    if ($all.Count -gt 0) { exit 1 }
    Write-Output "ok: $($Path.Count) file(s) use only what Windows PowerShell 5.1 has"
    exit 0
}
