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

    It 'both scripts carry the same shared code, and define nothing twice outside it' {
        $texts = $script:Owned | ForEach-Object { Get-Content -Raw $_ }
        (Get-SharedSection $texts[0]).Length | Should -BeGreaterThan 1000
        $ab = Get-SharedSectionProblems $texts[0] 'windows-os-proxy.ps1' $texts[1] 'windows-arc-agent-proxy.ps1'
        $ba = Get-SharedSectionProblems $texts[1] 'windows-arc-agent-proxy.ps1' $texts[0] 'windows-os-proxy.ps1'
        $ab.Count | Should -Be 0 -Because ($ab -join '; ')
        $ba.Count | Should -Be 0 -Because ($ba -join '; ')
    }

    It 'the shared-code check catches a change to either copy, and a function copied outside the section' {
        $os = Get-Content -Raw $script:Owned[0]
        $arc = Get-Content -Raw $script:Owned[1]
        $changed = { param($t) $t.Replace("return '(not shown: it holds an @", "return '(hidden: it holds an @") }
        $osChanged = & $changed $os
        $arcChanged = & $changed $arc
        $osChanged | Should -Not -BeExactly $os
        $one = Get-SharedSectionProblems $osChanged 'os' $arc 'arc'
        $one.Count | Should -Be 1
        $one[0] | Should -Match "^the shared sections differ from line [0-9]+ of the section: os has '.*\(hidden: .*', arc has '.*\(not shown: "
        $other = Get-SharedSectionProblems $os 'os' $arcChanged 'arc'
        $other.Count | Should -Be 1
        $other[0] | Should -Match "^the shared sections differ from line [0-9]+ of the section: os has '.*\(not shown: .*', arc has '.*\(hidden: "
        $copied = $arc + "`nfunction Restore-Policy { }`n"
        $copy = Get-SharedSectionProblems $os 'os' $copied 'arc'
        $copy | Should -Contain 'Restore-Policy is defined in both os and arc outside the shared section'
        $unmarked = Get-SharedSectionProblems ($os.Replace('# END shared', '# END')) 'os' $arc 'arc'
        $unmarked | Should -Contain "os has no '# BEGIN shared' ... '# END shared' section"
    }
}

Describe 'native commands cannot stop Windows PowerShell 5.1 on a stderr line' {
    It 'the check reports each native command whose stderr is redirected, and nothing else' {
        $findings = Get-PS51Findings (Join-Path $PSScriptRoot 'fixtures/native-stderr.ps1')
        @($findings | ForEach-Object { ($_ -split ': ')[0] }) | Should -Be @(
            'native-stderr.ps1:3', 'native-stderr.ps1:4', 'native-stderr.ps1:5', 'native-stderr.ps1:6', 'native-stderr.ps1:7')
        $findings[0] | Should -Match "stderr of a native command redirected \(2>&1\)"
        $findings[3] | Should -Match "\(\*>&1\)"
    }

    It 'Invoke-Native returns the exit code, stdout and stderr of a program that writes to stderr, under ErrorActionPreference Stop' {
        $ErrorActionPreference = 'Stop'
        . ([scriptblock]::Create((Get-SharedSection (Get-Content -Raw $script:Owned[0]))))
        $r = Invoke-Native '/bin/sh' @('-c', 'echo out; echo err 1>&2; echo more-err 1>&2; exit 3')
        $r.ExitCode | Should -Be 3
        $r.StdOut.Trim() | Should -BeExactly 'out'
        $r.StdErr -split "`n" | Where-Object { $_ } | Should -Be @('err', 'more-err')
    }

    It 'Invoke-Native passes arguments with spaces, quotes and backslashes through unchanged' {
        . ([scriptblock]::Create((Get-SharedSection (Get-Content -Raw $script:Owned[0]))))
        $arguments = @('plain', 'with space', 'a"quote', 'trailing\', 'space and trailing\', '', 'back\"slash')
        $r = Invoke-Native 'python3' (@('-c', 'import json,sys; print(json.dumps(sys.argv[1:]))') + $arguments)
        $r.ExitCode | Should -Be 0 -Because $r.StdErr
        (ConvertFrom-Json $r.StdOut) | Should -Be $arguments
    }

    It 'Invoke-Native stops a program that outlives its bound' {
        . ([scriptblock]::Create((Get-SharedSection (Get-Content -Raw $script:Owned[0]))))
        $watch = [Diagnostics.Stopwatch]::StartNew()
        $r = Invoke-Native '/bin/sleep' @('30') 1
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 10
        $r.ExitCode | Should -Be -1
        $r.StdErr | Should -Match 'sleep did not finish within 1s and was stopped'
    }
}
