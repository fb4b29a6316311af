# windows-arc-agent-proxy.ps1 end to end under PowerShell 7, with only the Windows boundary
# mocked: Find-Azcmagent (the agent's path) and Invoke-Azcmagent (azcmagent.exe), played by a
# fake agent that keeps proxy.url and proxy.bypass and prints them as JSON.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:ArcProxy = Join-Path $ScriptsDir 'windows-arc-agent-proxy.ps1'
    . ([scriptblock]::Create((Get-BoundaryStubs $script:ArcProxy @('Find-Azcmagent', 'Invoke-Azcmagent'))))

    # How the fake agent prints "config get <key> --json"; each test may pick another shape.
    function Format-AgentValue([string]$Key, $Values) {
        switch ($global:FakeAgent.JsonShape) {
            'object' { return (@{ $Key = (@($Values) -join ',') } | ConvertTo-Json -Compress) }
            'string' { return (ConvertTo-Json -InputObject (@($Values) -join ',') -Compress) }
            'array' { return (ConvertTo-Json -InputObject @($Values) -Compress) }
            'text' { return "$Key = $(@($Values) -join ',')" }
            'number' { return '{"value": 5}' }
        }
    }

    function Invoke-FakeAzcmagent([string[]]$Arguments) {
        $a = $global:FakeAgent
        $a.Calls.Add(($Arguments -join ' '))
        $key = $Arguments[2]
        switch ("$($Arguments[0]) $($Arguments[1])") {
            'config get' {
                if ($Arguments[3] -ne '--json') { return [pscustomobject]@{ ExitCode = 2; Output = 'text output' } }
                return [pscustomobject]@{ ExitCode = 0; Output = (Format-AgentValue $key $a.Settings[$key]) }
            }
            'config set' {
                if ($a.FailSet -eq $key) { return [pscustomobject]@{ ExitCode = 1; Output = 'failed' } }
                if (-not $a.IgnoreSet) { $a.Settings[$key] = @($Arguments[3] -split ',') }
                return [pscustomobject]@{ ExitCode = 0; Output = '' }
            }
            'config clear' {
                $a.Settings[$key] = @()
                return [pscustomobject]@{ ExitCode = 0; Output = '' }
            }
        }
        return [pscustomobject]@{ ExitCode = 1; Output = 'unknown command' }
    }

    function Invoke-ArcProxy([hashtable]$Parameters) { Invoke-ScriptUnderTest $script:ArcProxy $Parameters }
}

Describe 'windows-arc-agent-proxy.ps1' {
    BeforeEach {
        $global:FakeAgent = [pscustomobject]@{
            Settings = @{ 'proxy.url' = @(); 'proxy.bypass' = @() }
            Calls = New-Object System.Collections.Generic.List[string]
            JsonShape = 'object'
            FailSet = ''
            IgnoreSet = $false
        }
        Mock Find-Azcmagent { 'C:\Program Files\AzureConnectedMachineAgent\azcmagent.exe' }
        Mock Invoke-Azcmagent { Invoke-FakeAzcmagent $Arguments }
    }

    It 'sets proxy.url and proxy.bypass synchronously and reads them back as JSON' {
        $r = Invoke-ArcProxy @{ ProxyUrl = 'http://proxy.contoso.com:3128'; ArcProxyBypass = 'Arc, AAD' }
        $r.ExitCode | Should -Be 0 -Because $r.Text
        $global:FakeAgent.Calls | Should -Be @(
            'config get proxy.url --json', 'config get proxy.bypass --json',
            'config set proxy.url http://proxy.contoso.com:3128', 'config set proxy.bypass AAD,Arc',
            'config get proxy.url --json', 'config get proxy.bypass --json')
        $r.Out | Should -Contain "changed: azcmagent proxy.url is http://proxy.contoso.com:3128, proxy.bypass is 'AAD,Arc' (read back)"
        $r.Out[-1] | Should -BeExactly 'done: Azure Arc agent proxy is http://proxy.contoso.com:3128'
        $r.Text | Should -Not -Match 'ScheduledTask|NT AUTHORITY'
    }

    It 'a second run changes nothing and says so' {
        $p = @{ ProxyUrl = 'http://proxy:8080'; ArcProxyBypass = 'ARM' }
        (Invoke-ArcProxy $p).ExitCode | Should -Be 0
        $global:FakeAgent.Calls.Clear()
        $r = Invoke-ArcProxy $p
        $r.ExitCode | Should -Be 0 -Because $r.Text
        @($global:FakeAgent.Calls | Where-Object { $_ -notlike 'config get *' }).Count | Should -Be 0
        $r.Out | Should -Contain "unchanged: azcmagent proxy.url is http://proxy:8080, proxy.bypass is 'ARM'"
    }

    It 'reads the current value from a JSON <Shape>' -ForEach @(@{ Shape = 'object' }, @{ Shape = 'string' }, @{ Shape = 'array' }) {
        $global:FakeAgent.Settings['proxy.url'] = @('http://proxy:8080/')
        $global:FakeAgent.Settings['proxy.bypass'] = @('Arc', 'AAD')
        $global:FakeAgent.JsonShape = $Shape
        $r = Invoke-ArcProxy @{ ProxyUrl = 'http://proxy:8080'; ArcProxyBypass = 'AAD,Arc' }
        $r.ExitCode | Should -Be 0 -Because $r.Text
        @($global:FakeAgent.Calls | Where-Object { $_ -notlike 'config get *' }).Count | Should -Be 0
    }

    It 'without ArcProxyBypass clears the bypass' {
        $global:FakeAgent.Settings['proxy.bypass'] = @('Arc')
        $r = Invoke-ArcProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 0 -Because $r.Text
        $global:FakeAgent.Calls | Should -Contain 'config clear proxy.bypass'
        @($global:FakeAgent.Settings['proxy.bypass']).Count | Should -Be 0
    }

    It 'refuses to guess when config get prints text: exit 1, nothing set' {
        $global:FakeAgent.JsonShape = 'text'
        $r = Invoke-ArcProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'azcmagent config get proxy\.url --json did not print JSON'
        @($global:FakeAgent.Calls | Where-Object { $_ -notlike 'config get *' }).Count | Should -Be 0
    }

    It 'refuses to guess when the JSON value is not text' {
        $global:FakeAgent.JsonShape = 'number'
        $r = Invoke-ArcProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'printed a value that is not text; refusing to guess'
    }

    It 'config get failing exits 1 naming the key' {
        Mock Invoke-Azcmagent { [pscustomobject]@{ ExitCode = 23; Output = '' } }
        $r = Invoke-ArcProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'azcmagent config get proxy\.url --json failed with exit code 23'
    }

    It 'a missing agent exits 1 with the fix' {
        Mock Find-Azcmagent { $null }
        $r = Invoke-ArcProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'azcmagent\.exe was not found .* install and connect the Azure Connected Machine agent first'
    }

    It 'a failed config set restores the previous settings and exits 1' {
        $global:FakeAgent.Settings['proxy.url'] = @('http://old:3128')
        $global:FakeAgent.Settings['proxy.bypass'] = @('Arc')
        $global:FakeAgent.FailSet = 'proxy.bypass'
        $r = Invoke-ArcProxy @{ ProxyUrl = 'http://proxy:8080'; ArcProxyBypass = 'ARM' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'azcmagent config set proxy\.bypass failed with exit code 1; restoring the previous settings failed too'
        $global:FakeAgent.FailSet = ''
        $global:FakeAgent.Settings['proxy.url'] = @('http://old:3128')
        $global:FakeAgent.FailSet = 'proxy.url'
        $r = Invoke-ArcProxy @{ ProxyUrl = 'http://proxy:8080'; ArcProxyBypass = 'Arc' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'azcmagent config set proxy\.url failed with exit code 1'
        $global:FakeAgent.Settings['proxy.url'] | Should -Be @('http://old:3128')
    }

    It 'a change that does not read back restores the previous settings and exits 1' {
        $global:FakeAgent.Settings['proxy.url'] = @('http://old:3128')
        $global:FakeAgent.IgnoreSet = $true
        $r = Invoke-ArcProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match "azcmagent read back proxy\.url 'http://old:3128' and proxy\.bypass '' after setting 'http://proxy:8080' and ''; the previous settings are back in place"
        $global:FakeAgent.Settings['proxy.url'] | Should -Be @('http://old:3128')
    }

    It 'does not print a credential-looking value the agent reads back' {
        $global:FakeAgent.Settings['proxy.url'] = @('http://eve:Leak3dPw@old:3128')
        $global:FakeAgent.IgnoreSet = $true
        $r = Invoke-ArcProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match "read back proxy\.url '\(not shown: it holds an @"
        $r.Text | Should -Not -Match 'Leak3dPw'
    }

    $bad = @(
        @{ Why = 'no ProxyUrl'; P = @{}; Message = 'ProxyUrl is missing or empty' }
        @{ Why = 'credentials in ProxyUrl'; P = @{ ProxyUrl = 'http://bob:Hunter2Pw@proxy:8080' }; Message = 'ProxyUrl must not carry credentials' }
        @{ Why = 'a bypass value azcmagent does not know'; P = @{ ProxyUrl = 'http://proxy:8080'; ArcProxyBypass = 'Arc,arc' }; Message = 'ArcProxyBypass entry 2 is not a value azcmagent knows' }
        @{ Why = 'a credential in a bypass value'; P = @{ ProxyUrl = 'http://proxy:8080'; ArcProxyBypass = 'bob:Hunter2Pw@x' }; Message = 'ArcProxyBypass entry 1 is not a value' }
        @{ Why = 'a bad timeout'; P = @{ ProxyUrl = 'http://proxy:8080'; RouteCheckTimeoutSeconds = '' }; Message = 'RouteCheckTimeoutSeconds must be' }
        @{ Why = 'a route host without a port'; P = @{ ProxyUrl = 'http://proxy:8080'; RouteCheckHosts = 'management.azure.com' }; Message = 'RouteCheckHosts entry 1 is not host:port' }
    )
    It 'refuses <Why> (exit 2) before it calls azcmagent, without echoing a credential' -ForEach $bad {
        $r = Invoke-ArcProxy $P
        $r.ExitCode | Should -Be 2 -Because $r.Text
        $r.Err | Should -Match $Message
        $r.Text | Should -Not -Match 'Hunter2Pw'
        Should -Invoke Invoke-Azcmagent -Times 0 -Scope It
    }
}
