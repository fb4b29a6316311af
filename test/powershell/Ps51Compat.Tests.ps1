# The Windows scripts must run on Windows PowerShell 5.1 (Run Command's host), must not depend
# on how the handler binds parameters, and must not depend on the display language.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    . (Join-Path $PSScriptRoot 'Get-PS51Findings.ps1')
    $script:Fixture = Join-Path $PSScriptRoot 'fixtures/ps7-only.ps1'
    $script:Owned = @('windows-os-proxy.ps1', 'windows-arc-agent-proxy.ps1') | ForEach-Object { Join-Path $ScriptsDir $_ }
}

Describe 'the Windows PowerShell 5.1 check' {
    It 'reports every PowerShell 7 construct in the fixture, each on its line' {
        $findings = Get-PS51Findings $script:Fixture
        $expected = @(
            'ps7-only.ps1:3: null-coalescing ''??'''
            'ps7-only.ps1:4: null-coalescing assignment ''??='''
            'ps7-only.ps1:5: null-conditional member access ''?.'''
            'ps7-only.ps1:6: null-conditional index ''?[]'''
            'ps7-only.ps1:7: ternary operator'
            'ps7-only.ps1:8: pipeline chain'
            'ps7-only.ps1:9: pipeline chain'
            'ps7-only.ps1:10: ConvertFrom-Json -AsHashtable'
            'ps7-only.ps1:11: ForEach-Object -Parallel'
            'ps7-only.ps1:12: ForEach-Object -Parallel'
            'ps7-only.ps1:13: command Join-String'
            'ps7-only.ps1:14: command Test-Json'
            'ps7-only.ps1:15: command Get-Error'
            'ps7-only.ps1:16: automatic variable $PSStyle'
            'ps7-only.ps1:17: automatic variable $IsWindows'
            'ps7-only.ps1:18: Get-Content -AsByteStream'
            'ps7-only.ps1:19: Unicode escape'
            'ps7-only.ps1:20: ''clean {}'' block'
        )
        foreach ($e in $expected) {
            @($findings | Where-Object { $_.StartsWith($e, [StringComparison]::Ordinal) }).Count | Should -BeGreaterThan 0 -Because "expected a finding starting with: $e`nfound:`n$($findings -join "`n")"
        }
        $findings.Count | Should -Be $expected.Count
    }

    It 'finds nothing in <_>' -ForEach @('windows-os-proxy.ps1', 'windows-arc-agent-proxy.ps1') {
        Get-PS51Findings (Join-Path $ScriptsDir $_) | Should -BeNullOrEmpty
    }
}

Describe 'Windows classes in the scripts' {
    It '<_>: every parameter is a [string] with a default, none mandatory (no dependence on how Run Command binds)' -ForEach @('windows-os-proxy.ps1', 'windows-arc-agent-proxy.ps1') {
        $ast = [System.Management.Automation.Language.Parser]::ParseFile((Join-Path $ScriptsDir $_), [ref]$null, [ref]$null)
        $ast.ParamBlock.Parameters.Count | Should -BeGreaterThan 0
        foreach ($p in $ast.ParamBlock.Parameters) {
            $p.StaticType | Should -Be ([string]) -Because "$($p.Name) must be a string"
            $p.DefaultValue | Should -Not -BeNullOrEmpty -Because "$($p.Name) needs a default"
            $p.Extent.Text | Should -Not -Match 'Mandatory' -Because "$($p.Name) must not prompt when absent"
        }
    }

    It '<_>: no account name (NT AUTHORITY\SYSTEM is translated on non-English Windows), no scheduled task, no netsh output parsing' -ForEach @('windows-os-proxy.ps1', 'windows-arc-agent-proxy.ps1') {
        $text = Get-Content -Raw (Join-Path $ScriptsDir $_)
        $text | Should -Not -Match 'NT AUTHORITY'
        $text | Should -Not -Match 'Register-ScheduledTask|New-ScheduledTaskPrincipal'
        $text | Should -Not -Match "'show', 'proxy'"
    }

    It '<_>: ASCII only, LF line endings (Windows PowerShell 5.1 reads a BOM-less file as ANSI)' -ForEach @('windows-os-proxy.ps1', 'windows-arc-agent-proxy.ps1') {
        $bytes = [IO.File]::ReadAllBytes((Join-Path $ScriptsDir $_))
        @($bytes | Where-Object { $_ -gt 126 -or ($_ -lt 32 -and $_ -ne 10 -and $_ -ne 9) }).Count | Should -Be 0
    }

    It 'both scripts carry the same proxy URL and route check code' {
        $sections = $script:Owned | ForEach-Object {
            $t = Get-Content -Raw $_
            $t.Substring($t.IndexOf('# BEGIN shared'), $t.IndexOf('# END shared') - $t.IndexOf('# BEGIN shared'))
        }
        $sections[0].Length | Should -BeGreaterThan 1000
        $sections[1] | Should -BeExactly $sections[0]
    }
}
