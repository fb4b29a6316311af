# windows-os-proxy.ps1 end to end under PowerShell 7, with only the Windows boundary mocked:
# Invoke-Netsh (netsh.exe), Get-WinHttpDefaultProxy (WinHTTP API), Get-/Set-PolicyValue (HKLM)
# and, for the private-DNS cases, Resolve-HostAddresses. Everything else runs as written.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:OsProxy = Join-Path $ScriptsDir 'windows-os-proxy.ps1'
    # Mock needs the commands to exist here; the script's own definitions are shadowed by the mocks.
    . ([scriptblock]::Create((Get-BoundaryStubs $script:OsProxy @('Invoke-Netsh', 'Get-WinHttpDefaultProxy', 'Get-PolicyValue', 'Set-PolicyValue', 'Restore-PolicyValue', 'Test-PolicyKey', 'Remove-PolicyKeyIfEmpty', 'Resolve-HostAddresses'))))
    $script:DataCollection = 'SOFTWARE\Policies\Microsoft\Windows\DataCollection'
    $script:Defender = 'SOFTWARE\Policies\Microsoft\Windows Defender'

    function Invoke-OsProxy([hashtable]$Parameters) { Invoke-ScriptUnderTest $script:OsProxy $Parameters }
}

Describe 'windows-os-proxy.ps1' {
BeforeEach {
    Use-FakeWindows
}

Describe 'windows-os-proxy.ps1 on a fresh machine' {
    It 'sets WinHTTP with the wire server and IMDS bypassed first, and the three policy values' {
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy.contoso.com:3128'; BypassList = '<local>,*.contoso.com,10.*' }
        $r.ExitCode | Should -Be 0 -Because $r.Text
        $global:FakeMachine.NetshCalls | Should -Be @('winhttp set proxy proxy-server=proxy.contoso.com:3128 bypass-list=168.63.129.16;169.254.169.254;<local>;*.contoso.com;10.*')
        $global:FakeMachine.WinHttp.AccessType | Should -Be 3
        $global:FakeMachine.Registry["$DataCollection\TelemetryProxyServer"].Value | Should -BeExactly 'proxy.contoso.com:3128'
        $global:FakeMachine.Registry["$DataCollection\TelemetryProxyServer"].Kind | Should -Be 'String'
        $global:FakeMachine.Registry["$DataCollection\DisableEnterpriseAuthProxy"].Value | Should -Be '1'
        $global:FakeMachine.Registry["$DataCollection\DisableEnterpriseAuthProxy"].Kind | Should -Be 'DWord'
        $global:FakeMachine.Registry["$Defender\ProxyServer"].Value | Should -BeExactly 'http://proxy.contoso.com:3128'
        $global:FakeMachine.Registry.Keys | Should -Not -Contain "$Defender\ProxyBypass"
        $r.Out | Should -Contain 'settings: 4 value(s) changed and read back'
        $r.Out | Should -Contain 'route: not checked (RouteCheckHosts and RouteCheckPrivateHosts are empty)'
        $r.Out[-1] | Should -BeExactly 'done: operating-system proxy for Defender for Endpoint is http://proxy.contoso.com:3128'
        $r.Err | Should -BeExactly ''
    }

    It 'a second run changes nothing and says so' {
        $p = @{ ProxyUrl = 'http://proxy.contoso.com:3128'; BypassList = '<local>' }
        (Invoke-OsProxy $p).ExitCode | Should -Be 0
        Mock Set-PolicyValue { throw 'a second run must not write' }
        $r = Invoke-OsProxy $p
        $r.ExitCode | Should -Be 0 -Because $r.Text
        Should -Invoke Invoke-Netsh -Times 1 -Exactly -Scope It
        $r.Out | Should -Contain 'settings: nothing changed (every value was already in place)'
        @($r.Out | Where-Object { $_ -like 'changed:*' }).Count | Should -Be 0
        @($r.Out | Where-Object { $_ -like 'unchanged:*' }).Count | Should -Be 4
    }

    It 'without BypassList still bypasses 168.63.129.16 and 169.254.169.254' {
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://10.0.0.6:8080' }
        $r.ExitCode | Should -Be 0 -Because $r.Text
        $global:FakeMachine.WinHttp.Bypass | Should -BeExactly '168.63.129.16;169.254.169.254'
    }

    It 'takes commas and semicolons alike and drops repeats (case-insensitive), the fixed entries included' {
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080'; BypassList = ' a.contoso.com ; 168.63.129.16,,A.CONTOSO.COM;<local> ' }
        $r.ExitCode | Should -Be 0 -Because $r.Text
        $global:FakeMachine.WinHttp.Bypass | Should -BeExactly '168.63.129.16;169.254.169.254;a.contoso.com;<local>'
    }

    It 'with ReplaceExistingWinHttpProxy true, replaces another WinHTTP proxy, says what was there, and fixes a policy value of the wrong type' {
        $global:FakeMachine.WinHttp = [pscustomobject]@{ AccessType = 3; Proxy = 'old:80'; Bypass = '<local>' }
        $global:FakeMachine.Registry["$DataCollection\DisableEnterpriseAuthProxy"] = [pscustomobject]@{ Kind = 'String'; Value = '1' }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080'; ReplaceExistingWinHttpProxy = 'true' }
        $r.ExitCode | Should -Be 0 -Because $r.Text
        $global:FakeMachine.WinHttp.Proxy | Should -BeExactly 'proxy:8080'
        $global:FakeMachine.Registry["$DataCollection\DisableEnterpriseAuthProxy"].Kind | Should -Be 'DWord'
        $r.Out | Should -Contain "replacing: WinHTTP had access type 3, proxy 'old:80', bypass '<local>'"
        $r.Out | Should -Contain 'changed: WinHTTP proxy proxy:8080 (bypass 168.63.129.16;169.254.169.254)'
        $r.Out | Should -Contain "changed: HKLM\$DataCollection\DisableEnterpriseAuthProxy"
    }

    It 'rewrites WinHTTP when the bypass list differs' {
        $global:FakeMachine.WinHttp = [pscustomobject]@{ AccessType = 3; Proxy = 'proxy:8080'; Bypass = '168.63.129.16' }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 0
        Should -Invoke Invoke-Netsh -Times 1 -Exactly -Scope It
    }
}

Describe 'windows-os-proxy.ps1 and a machine-wide WinHTTP proxy someone else set' {
    It 'refuses it (exit 3), names it, and writes nothing' {
        $global:FakeMachine.WinHttp = [pscustomobject]@{ AccessType = 3; Proxy = 'gpo-proxy.corp:8080'; Bypass = '*.corp;<local>' }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 3
        $r.Err | Should -Match ([regex]::Escape("WinHTTP already has another machine-wide proxy (access type 3, proxy 'gpo-proxy.corp:8080', bypass '*.corp;<local>')"))
        $r.Err | Should -Match 'run again with ReplaceExistingWinHttpProxy set to true'
        $r.Err | Should -Not -Match 'rolled back'
        $global:FakeMachine.NetshCalls.Count | Should -Be 0
        Should -Invoke Set-PolicyValue -Times 0 -Scope It
        $global:FakeMachine.WinHttp.Proxy | Should -BeExactly 'gpo-proxy.corp:8080'
    }

    It 'does not print a credential-looking proxy it refuses' {
        $global:FakeMachine.WinHttp = [pscustomobject]@{ AccessType = 3; Proxy = 'eve:Leak3dPw@gpo:8080'; Bypass = '' }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 3
        $r.Text | Should -Not -Match 'Leak3dPw'
    }

    It 'takes its own proxy with another bypass list as its own (an earlier run): no refusal' {
        $global:FakeMachine.WinHttp = [pscustomobject]@{ AccessType = 3; Proxy = 'PROXY:8080'; Bypass = '168.63.129.16' }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 0 -Because $r.Text
        $r.Out | Should -Not -Contain 'replacing:*'
    }

    It 'refuses a ReplaceExistingWinHttpProxy that is not true or false (exit 2)' {
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080'; ReplaceExistingWinHttpProxy = 'yes' }
        $r.ExitCode | Should -Be 2
        $r.Err | Should -Match 'ReplaceExistingWinHttpProxy must be true or false'
    }
}

Describe 'windows-os-proxy.ps1 compares bypass lists as sets' {
    It 'the same entries in another order and case (as a GPO writes them) is no change' {
        $global:FakeMachine.WinHttp = [pscustomobject]@{ AccessType = 3; Proxy = 'proxy:8080'; Bypass = '*.Contoso.com;<local>;169.254.169.254;168.63.129.16' }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080'; BypassList = '<local>,*.contoso.com' }
        $r.ExitCode | Should -Be 0 -Because $r.Text
        $global:FakeMachine.NetshCalls.Count | Should -Be 0
        $r.Out | Should -Contain 'unchanged: WinHTTP proxy proxy:8080 (bypass 168.63.129.16;169.254.169.254;<local>;*.contoso.com)'
    }

    It 'one entry more is a change' {
        $global:FakeMachine.WinHttp = [pscustomobject]@{ AccessType = 3; Proxy = 'proxy:8080'; Bypass = '<local>;168.63.129.16;169.254.169.254' }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080'; BypassList = '<local>,*.contoso.com' }
        $r.ExitCode | Should -Be 0 -Because $r.Text
        $global:FakeMachine.NetshCalls.Count | Should -Be 1
    }
}

Describe 'windows-os-proxy.ps1 puts back every value it wrote when a later step fails' {
    BeforeEach {
        # A machine with history: WinHTTP direct, one policy value absent, one of another kind, one someone else's.
        $global:FakeMachine.Registry["$DataCollection\DisableEnterpriseAuthProxy"] = [pscustomobject]@{ Kind = 'String'; Value = '0'; Raw = '0' }
        $global:FakeMachine.Registry["$Defender\ProxyServer"] = [pscustomobject]@{ Kind = 'String'; Value = 'http://other:1'; Raw = 'http://other:1' }
        $global:FakeMachine.Registry["$Defender\Unrelated"] = [pscustomobject]@{ Kind = 'DWord'; Value = '7'; Raw = 7 }
        # The DataCollection key exists (it holds DisableEnterpriseAuthProxy), so does Windows Defender.
        [void]$global:FakeMachine.Keys.Add($DataCollection)
        [void]$global:FakeMachine.Keys.Add($Defender)
        $script:Before = (ConvertTo-Json -Depth 5 -InputObject @{ WinHttp = $global:FakeMachine.WinHttp; Registry = $global:FakeMachine.Registry; Keys = @($global:FakeMachine.Keys | Sort-Object) })
        Mock Resolve-HostAddresses { @([System.Net.IPAddress]::Parse('20.50.2.1')) }
    }

    It 'a failed route check leaves WinHTTP and the registry exactly as they were' {
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080'; RouteCheckPrivateHosts = 'public.test' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'route check failed for 1 of 1: public\.test: DNS answered an address outside private space'
        $r.Err | Should -Match 'rolled back: '
        $r.Err | Should -Match 'WinHTTP restored to direct access \(no proxy\)'
        $r.Err | Should -Match ([regex]::Escape("HKLM\$DataCollection\TelemetryProxyServer removed again"))
        $r.Err | Should -Match ([regex]::Escape("HKLM\$Defender\ProxyServer restored"))
        $r.Err | Should -Not -Match 'NOT restored'
        (ConvertTo-Json -Depth 5 -InputObject @{ WinHttp = $global:FakeMachine.WinHttp; Registry = $global:FakeMachine.Registry; Keys = @($global:FakeMachine.Keys | Sort-Object) }) | Should -BeExactly $script:Before
        $global:FakeMachine.NetshCalls[-1] | Should -BeExactly 'winhttp reset proxy'
    }

    It 'a route check failure puts back the previous bypass list of its own proxy, byte for byte' {
        $global:FakeMachine.WinHttp = [pscustomobject]@{ AccessType = 3; Proxy = 'proxy:8080'; Bypass = '<local>;168.63.129.16' }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080'; RouteCheckPrivateHosts = 'public.test' }
        $r.ExitCode | Should -Be 1
        $global:FakeMachine.NetshCalls[-1] | Should -BeExactly 'winhttp set proxy proxy-server=proxy:8080 bypass-list=<local>;168.63.129.16'
        $global:FakeMachine.WinHttp.Bypass | Should -BeExactly '<local>;168.63.129.16'
    }

    It 'a replaced proxy comes back when the route check fails' {
        $global:FakeMachine.WinHttp = [pscustomobject]@{ AccessType = 3; Proxy = 'gpo:3128'; Bypass = '' }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080'; RouteCheckPrivateHosts = 'public.test'; ReplaceExistingWinHttpProxy = 'true' }
        $r.ExitCode | Should -Be 1
        $global:FakeMachine.NetshCalls[-1] | Should -BeExactly 'winhttp set proxy proxy-server=gpo:3128'
        $global:FakeMachine.WinHttp.Proxy | Should -BeExactly 'gpo:3128'
    }

    It 'a write refused half-way puts back the writes before it' {
        Mock Set-PolicyValue {
            if ($Name -eq 'ProxyServer') { throw [System.UnauthorizedAccessException]::new('Access to the registry key is denied.') }
            $global:FakeMachine.Registry["$SubKey\$Name"] = [pscustomobject]@{ Kind = $Kind; Value = $Value }
        }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'Access to the registry key is denied\.; rolled back: '
        (ConvertTo-Json -Depth 5 -InputObject @{ WinHttp = $global:FakeMachine.WinHttp; Registry = $global:FakeMachine.Registry; Keys = @($global:FakeMachine.Keys | Sort-Object) }) | Should -BeExactly $script:Before
    }

    It 'says so when a value cannot be put back' {
        Mock Restore-PolicyValue { throw 'registry unavailable' }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080'; RouteCheckPrivateHosts = 'public.test' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match ([regex]::Escape("HKLM\$DataCollection\TelemetryProxyServer NOT restored: registry unavailable"))
        $r.Err | Should -Match 'WinHTTP restored to direct access'
    }

    It 'a key the run created is deleted again; a key that existed stays' {
        $global:FakeMachine.Registry.Remove("$DataCollection\DisableEnterpriseAuthProxy")
        [void]$global:FakeMachine.Keys.Remove($DataCollection)
        $before = ConvertTo-Json -Depth 5 -InputObject @{ Registry = $global:FakeMachine.Registry; Keys = @($global:FakeMachine.Keys | Sort-Object) }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080'; RouteCheckPrivateHosts = 'public.test' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match ([regex]::Escape("HKLM\$DataCollection removed again"))
        $global:FakeMachine.Keys | Should -Not -Contain $DataCollection
        $global:FakeMachine.Keys | Should -Contain $Defender
        (ConvertTo-Json -Depth 5 -InputObject @{ Registry = $global:FakeMachine.Registry; Keys = @($global:FakeMachine.Keys | Sort-Object) }) | Should -BeExactly $before
    }

    It 'a successful run keeps its writes (nothing is rolled back)' {
        Mock Resolve-HostAddresses { @([System.Net.IPAddress]::Parse('10.1.2.3')) }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080'; RouteCheckPrivateHosts = 'private.test' }
        $r.ExitCode | Should -Be 0 -Because $r.Text
        $global:FakeMachine.WinHttp.Proxy | Should -BeExactly 'proxy:8080'
        $global:FakeMachine.Registry["$Defender\ProxyServer"].Value | Should -BeExactly 'http://proxy:8080'
    }
}

Describe 'windows-os-proxy.ps1 failures exit non-zero with a clear message' {
    It 'netsh failing exits 1 naming its exit code' {
        Mock Invoke-Netsh { [pscustomobject]@{ ExitCode = 5; Output = 'Access is denied.' } }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'netsh winhttp set proxy failed with exit code 5: Access is denied\.'
        $r.Out | Should -Not -Contain 'done: operating-system proxy for Defender for Endpoint is http://proxy:8080'
    }

    It 'a WinHTTP setting that does not read back exits 1' {
        Mock Invoke-Netsh { [pscustomobject]@{ ExitCode = 0; Output = '' } }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match "WinHTTP read back differs from what was set: expected proxy proxy:8080 with bypass 168\.63\.129\.16;169\.254\.169\.254, WinHTTP reports access type 1"
    }

    It 'a registry write that does not read back exits 1' {
        Mock Set-PolicyValue { }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match ([regex]::Escape("registry read back differs from what was set: HKLM\$DataCollection\TelemetryProxyServer should be String 'proxy:8080', the registry holds no value"))
    }

    It 'a registry write that is refused exits 1 with the system message' {
        Mock Set-PolicyValue { throw [System.UnauthorizedAccessException]::new('Access to the registry key is denied.') }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'error: Access to the registry key is denied\.'
    }

    It 'the WinHTTP API failing exits 1' {
        Mock Get-WinHttpDefaultProxy { throw [System.ComponentModel.Win32Exception]::new(5) }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'windows-os-proxy\.ps1: error: '
    }
}

Describe 'windows-os-proxy.ps1 refuses bad parameters (exit 2) before it writes anything' {
    $cases = @(
        @{ Why = 'no ProxyUrl'; P = @{}; Message = 'ProxyUrl is missing or empty' }
        @{ Why = 'an empty ProxyUrl'; P = @{ ProxyUrl = '' }; Message = 'ProxyUrl is missing or empty' }
        @{ Why = 'https'; P = @{ ProxyUrl = 'https://proxy:8080' }; Message = 'ProxyUrl must use the http:// scheme' }
        @{ Why = 'a path'; P = @{ ProxyUrl = 'http://proxy:8080/x' }; Message = 'ProxyUrl must not have a path, query or fragment' }
        @{ Why = 'no port'; P = @{ ProxyUrl = 'http://proxy' }; Message = 'ProxyUrl must be http://host:port' }
        @{ Why = 'a port above 65535'; P = @{ ProxyUrl = 'http://proxy:65536' }; Message = 'ProxyUrl port must be from 1 to 65535' }
        @{ Why = 'a CIDR bypass entry'; P = @{ ProxyUrl = 'http://proxy:8080'; BypassList = 'a,10.0.0.0/8' }; Message = 'BypassList entry 2: WinHTTP takes no CIDR ranges' }
        @{ Why = 'a bypass of *'; P = @{ ProxyUrl = 'http://proxy:8080'; BypassList = '*' }; Message = "BypassList entry 1 is '\*'" }
        @{ Why = 'a bypass entry with a quote'; P = @{ ProxyUrl = 'http://proxy:8080'; BypassList = 'a"b' }; Message = 'BypassList entry 1 has characters other than' }
        @{ Why = 'too many bypass entries'; P = @{ ProxyUrl = 'http://proxy:8080'; BypassList = ((1..350 | ForEach-Object { "h$_.contoso.com" }) -join ',') }; Message = 'BypassList has more than 300 entries' }
        @{ Why = 'a bypass list too long'; P = @{ ProxyUrl = 'http://proxy:8080'; BypassList = ((1..90 | ForEach-Object { ('h' * 70) + $_ }) -join ',') }; Message = 'BypassList is longer than 6000 characters' }
        @{ Why = 'a timeout that is not a number'; P = @{ ProxyUrl = 'http://proxy:8080'; RouteCheckTimeoutSeconds = 'ten' }; Message = 'RouteCheckTimeoutSeconds must be a whole number of seconds from 1 to 120' }
        @{ Why = 'a zero timeout'; P = @{ ProxyUrl = 'http://proxy:8080'; RouteCheckTimeoutSeconds = '0' }; Message = 'RouteCheckTimeoutSeconds must be' }
        @{ Why = 'a timeout above 120'; P = @{ ProxyUrl = 'http://proxy:8080'; RouteCheckTimeoutSeconds = '121' }; Message = 'RouteCheckTimeoutSeconds must be' }
        @{ Why = 'a route host without a port'; P = @{ ProxyUrl = 'http://proxy:8080'; RouteCheckHosts = 'login.microsoftonline.com' }; Message = 'RouteCheckHosts entry 1 is not host:port' }
        @{ Why = 'a wildcard route host'; P = @{ ProxyUrl = 'http://proxy:8080'; RouteCheckHosts = 'a.b:443,*.blob.core.windows.net:443' }; Message = 'RouteCheckHosts entry 2 is not host:port' }
        @{ Why = 'a private host with a port'; P = @{ ProxyUrl = 'http://proxy:8080'; RouteCheckPrivateHosts = 'x.his.arc.azure.com:443' }; Message = 'RouteCheckPrivateHosts entry 1 is not a concrete DNS name' }
    )
    It 'refuses <Why>' -ForEach $cases {
        $r = Invoke-OsProxy $P
        $r.ExitCode | Should -Be 2 -Because $r.Text
        $r.Err | Should -Match $Message
        Should -Invoke Invoke-Netsh -Times 0 -Scope It
        Should -Invoke Set-PolicyValue -Times 0 -Scope It
    }
}

Describe 'windows-os-proxy.ps1 never prints a credential' {
    $cases = @(
        @{ Where = 'ProxyUrl'; P = @{ ProxyUrl = 'http://alice:S3cr3tPw@proxy:8080' }; Message = 'ProxyUrl must not carry credentials' }
        @{ Where = 'ProxyUrl (https)'; P = @{ ProxyUrl = 'https://alice:S3cr3tPw@proxy:8080' }; Message = 'ProxyUrl must use the http:// scheme' }
        @{ Where = 'BypassList'; P = @{ ProxyUrl = 'http://proxy:8080'; BypassList = 'ok.contoso.com,alice:S3cr3tPw@host' }; Message = 'BypassList entry 2 has characters other than' }
        @{ Where = 'RouteCheckHosts'; P = @{ ProxyUrl = 'http://proxy:8080'; RouteCheckHosts = 'alice:S3cr3tPw@host:443' }; Message = 'RouteCheckHosts entry 1 is not host:port' }
        @{ Where = 'RouteCheckPrivateHosts'; P = @{ ProxyUrl = 'http://proxy:8080'; RouteCheckPrivateHosts = 'alice:S3cr3tPw@host' }; Message = 'RouteCheckPrivateHosts entry 1' }
    )
    It 'does not print a credential-looking WinHTTP value it reads back' {
        Mock Invoke-Netsh {
            $global:FakeMachine.WinHttp = [pscustomobject]@{ AccessType = 3; Proxy = 'eve:Leak3dPw@elsewhere:3128'; Bypass = '' }
            [pscustomobject]@{ ExitCode = 0; Output = '' }
        }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match "proxy '\(not shown: it holds an @, so it may carry a credential\)'"
        $r.Text | Should -Not -Match 'Leak3dPw'
    }

    It 'does not print a credential-looking registry value it reads back' {
        Mock Set-PolicyValue { $global:FakeMachine.Registry["$SubKey\$Name"] = [pscustomobject]@{ Kind = $Kind; Value = 'eve:Leak3dPw@elsewhere:3128' } }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'registry read back differs'
        $r.Text | Should -Not -Match 'Leak3dPw'
    }

    It 'refuses user:password@ in <Where> without echoing it' -ForEach $cases {
        $r = Invoke-OsProxy $P
        $r.ExitCode | Should -Be 2
        $r.Err | Should -Match $Message
        $r.Text | Should -Not -Match 'S3cr3tPw'
        $r.Text | Should -Not -Match 'alice'
    }
}

Describe 'windows-os-proxy.ps1 private DNS check (DNS answer mocked)' {
    It 'passes when every address is private (RFC 1918, fc00::/7, IPv4-mapped)' {
        Mock Resolve-HostAddresses {
            switch ($Name) {
                'a.privatelink.test' { @([System.Net.IPAddress]::Parse('10.1.2.3'), [System.Net.IPAddress]::Parse('fd00::5')) }
                'b.privatelink.test' { @([System.Net.IPAddress]::Parse('172.31.255.1')) }
                'c.privatelink.test' { @([System.Net.IPAddress]::Parse('::ffff:192.168.1.1')) }
            }
        }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080'; RouteCheckPrivateHosts = 'a.privatelink.test,b.privatelink.test,c.privatelink.test' }
        $r.ExitCode | Should -Be 0 -Because $r.Text
        $r.Out | Should -Contain 'route: ok a.privatelink.test (private address)'
        $r.Out | Should -Contain 'route: ok c.privatelink.test (private address)'
    }

    It 'fails naming each host whose answer is public, empty or late' {
        Mock Resolve-HostAddresses {
            switch ($Name) {
                'public.test' { @([System.Net.IPAddress]::Parse('10.0.0.1'), [System.Net.IPAddress]::Parse('20.50.2.1')) }
                'edge.test' { @([System.Net.IPAddress]::Parse('172.32.0.1')) }
                'empty.test' { @() }
                'late.test' { throw 'no DNS answer within 3s (timeout)' }
                'ok.test' { @([System.Net.IPAddress]::Parse('192.168.0.9')) }
            }
        }
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080'; RouteCheckPrivateHosts = 'public.test,edge.test,empty.test,late.test,ok.test'; RouteCheckTimeoutSeconds = '3' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'route check failed for 4 of 5: '
        $r.Err | Should -Match 'public\.test: DNS answered an address outside private space \(20\.50\.2\.1\)'
        $r.Err | Should -Match 'edge\.test: DNS answered an address outside private space \(172\.32\.0\.1\)'
        $r.Err | Should -Match 'empty\.test: DNS gave no address'
        $r.Err | Should -Match 'late\.test: DNS gave no answer: no DNS answer within 3s \(timeout\)'
        $r.Err | Should -Not -Match 'ok\.test:'
        Should -Invoke Resolve-HostAddresses -Times 1 -Exactly -Scope It -ParameterFilter { $Name -eq 'late.test' -and $TimeoutSeconds -eq 3 }
    }
}

Describe 'windows-os-proxy.ps1 private DNS check (real resolver)' {
    It 'takes an address literal as its own answer and refuses loopback as not private' {
        $r = Invoke-OsProxy @{ ProxyUrl = 'http://proxy:8080'; RouteCheckPrivateHosts = '10.20.30.40,127.0.0.1' }
        $r.ExitCode | Should -Be 1
        $r.Out | Should -Contain 'route: ok 10.20.30.40 (private address)'
        $r.Err | Should -Match '127\.0\.0\.1: DNS answered an address outside private space \(127\.0\.0\.1\)'
    }
}
}
