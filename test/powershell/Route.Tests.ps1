# The route check of both scripts against a real Squid on 127.0.0.1 (see TestHelpers.ps1,
# Start-TestSquid), through the whole script: its failures, and the rollback they cause. Only the
# Windows boundary is mocked; the probes are real sockets. The passing routes (GET on 80, CONNECT
# and a trusted TLS handshake on 443, against the component's own Squid snippet) are proven in
# test/routeCheck.windows.spec.ts, which has the TLS servers and the test CA.

BeforeAll {
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
    $script:OsProxy = Join-Path $ScriptsDir 'windows-os-proxy.ps1'
    $script:ArcProxy = Join-Path $ScriptsDir 'windows-arc-agent-proxy.ps1'
    . ([scriptblock]::Create((Get-BoundaryStubs $script:OsProxy @('Invoke-Netsh', 'Get-WinHttpDefaultProxy', 'Get-PolicyValue', 'Set-PolicyValue', 'Restore-PolicyValue', 'Test-PolicyKey', 'Remove-PolicyKeyIfEmpty'))))
    . ([scriptblock]::Create((Get-BoundaryStubs $script:ArcProxy @('Find-Azcmagent', 'Invoke-Azcmagent'))))

    # The "Microsoft" end of each allowed tunnel: a listener Squid can connect to.
    $script:Target = New-Object System.Net.Sockets.TcpListener([System.Net.IPAddress]::Loopback, 0)
    $script:Target.Start()
    $script:TargetPort = ([System.Net.IPEndPoint]$script:Target.LocalEndpoint).Port
    $script:Allowed = @('probe.endpoint.security.microsoft.com', 'login.microsoftonline.com', 'gbl.his.arc.azure.com')
    $script:Denied = @('denied.example.com')
    $script:Squid = Start-TestSquid $script:Allowed $script:Denied $script:TargetPort
    $script:ProxyUrl = "http://127.0.0.1:$($script:Squid.Port)"
    $script:AllowedList = ($script:Allowed | ForEach-Object { "${_}:$($script:TargetPort)" }) -join ','
}

AfterAll {
    Stop-TestSquid $script:Squid
    if ($null -ne $script:Target) { $script:Target.Stop() }
}

Describe 'route check through a real Squid' {
    BeforeEach {
        Use-FakeWindows
        $global:FakeArc = @{ 'proxy.url' = 'http://old:3128'; Calls = New-Object System.Collections.Generic.List[string] }
        Mock Find-Azcmagent { 'azcmagent.exe' }
        Mock Invoke-Azcmagent {
            $global:FakeArc.Calls.Add(($Arguments -join ' '))
            if ($Arguments[0] -eq 'config' -and $Arguments[1] -eq 'get') {
                $v = if ($Arguments[2] -eq 'proxy.url') { $global:FakeArc['proxy.url'] } else { '' }
                return [pscustomobject]@{ ExitCode = 0; Output = (ConvertTo-Json -InputObject $v) }
            }
            if ($Arguments[1] -eq 'set' -and $Arguments[2] -eq 'proxy.url') { $global:FakeArc['proxy.url'] = $Arguments[3] }
            return [pscustomobject]@{ ExitCode = 0; Output = '' }
        }
    }

    It 'os proxy: a host the proxy denies fails with the 403, and every setting is put back as it was' {
        $r = Invoke-ScriptUnderTest $script:OsProxy @{ ProxyUrl = $script:ProxyUrl; RouteCheckHosts = "denied.example.com:$($script:TargetPort)" }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match "route check failed for 1 of 1: denied\.example\.com:$($script:TargetPort): the proxy answered 403 Forbidden"
        $r.Err | Should -Match 'rolled back: .*WinHTTP restored to direct access \(no proxy\)'
        $global:FakeMachine.WinHttp.AccessType | Should -Be 1
        $global:FakeMachine.Registry.Count | Should -Be 0
        $global:FakeMachine.Keys.Count | Should -Be 0
        $r.Out | Should -Not -Contain "done: operating-system proxy for Defender for Endpoint is $($script:ProxyUrl)"
    }

    It 'os proxy: a tunnel Squid allows to a far end that speaks no TLS fails naming the TLS handshake' {
        $r = Invoke-ScriptUnderTest $script:OsProxy @{ ProxyUrl = $script:ProxyUrl; RouteCheckHosts = "login.microsoftonline.com:$($script:TargetPort)"; RouteCheckTimeoutSeconds = '3' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match "login\.microsoftonline\.com:$($script:TargetPort): (the TLS handshake through the tunnel failed|no TLS answer through the tunnel in time)"
        Get-Content -Raw (Join-Path $script:Squid.Dir 'access.log') | Should -Match "CONNECT login\.microsoftonline\.com:$($script:TargetPort)"
    }

    It 'os proxy: an allowed host on a port Squid denies fails with 403' {
        $r = Invoke-ScriptUnderTest $script:OsProxy @{ ProxyUrl = $script:ProxyUrl; RouteCheckHosts = 'login.microsoftonline.com:443' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'login\.microsoftonline\.com:443: the proxy answered 403'
    }

    It 'os proxy: a port-80 host is fetched with GET, not CONNECT (Squid denies this one: 403 to the GET)' {
        $r = Invoke-ScriptUnderTest $script:OsProxy @{ ProxyUrl = $script:ProxyUrl; RouteCheckHosts = 'crl.microsoft.com:80' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'crl\.microsoft\.com:80: GET: the proxy answered 403 Forbidden'
        $log = Get-Content -Raw (Join-Path $script:Squid.Dir 'access.log')
        $log | Should -Match 'GET http://crl\.microsoft\.com/'
        $log | Should -Not -Match 'CONNECT crl\.microsoft\.com'
    }

    It 'os proxy: a proxy that accepts but never answers fails with a timeout, within the bound' {
        $silent = New-Object System.Net.Sockets.TcpListener([System.Net.IPAddress]::Loopback, 0)
        $silent.Start()
        try {
            $port = ([System.Net.IPEndPoint]$silent.LocalEndpoint).Port
            $watch = [Diagnostics.Stopwatch]::StartNew()
            $r = Invoke-ScriptUnderTest $script:OsProxy @{ ProxyUrl = "http://127.0.0.1:$port"; RouteCheckHosts = 'login.microsoftonline.com:443'; RouteCheckTimeoutSeconds = '2' }
            $watch.Stop()
        }
        finally { $silent.Stop() }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'login\.microsoftonline\.com:443: no answer from the proxy in time \(timeout\)'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 15
    }

    It 'os proxy: a proxy port nobody listens on fails naming the host' {
        $port = Get-FreeTcpPort
        $r = Invoke-ScriptUnderTest $script:OsProxy @{ ProxyUrl = "http://127.0.0.1:$port"; RouteCheckHosts = 'login.microsoftonline.com:443' }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match 'login\.microsoftonline\.com:443: the proxy refused the connection or could not be reached'
    }

    It 'os proxy: a target the bypass list matches fails naming the entry, without a probe' {
        $r = Invoke-ScriptUnderTest $script:OsProxy @{ ProxyUrl = $script:ProxyUrl; BypassList = '*.MicrosoftOnline.com'; RouteCheckHosts = "login.microsoftonline.com:$($script:TargetPort)" }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match "login\.microsoftonline\.com:$($script:TargetPort): the bypass list entry '\*\.MicrosoftOnline\.com' sends it past the proxy"
    }

    It 'arc: a proxy that denies an Arc host is not committed; the old one stays and the run fails' {
        $r = Invoke-ScriptUnderTest $script:ArcProxy @{ ProxyUrl = $script:ProxyUrl; RouteCheckHosts = "denied.example.com:$($script:TargetPort)" }
        $r.ExitCode | Should -Be 1
        $r.Err | Should -Match "failed for 1 of 1, the agent keeps its previous proxy settings: denied\.example\.com:$($script:TargetPort): the proxy answered 403 Forbidden"
        $global:FakeArc['proxy.url'] | Should -BeExactly 'http://old:3128'
        @($global:FakeArc.Calls | Where-Object { $_ -like 'config set*' -or $_ -like 'config clear*' }).Count | Should -Be 0
    }
}
