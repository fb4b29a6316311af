# Shared by the Pester specs: where the scripts are, how to run one end to end, and a fake of
# the Windows state the scripts' boundary functions read and write.
Set-StrictMode -Version 3.0

$RepoRoot = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
$ScriptsDir = Join-Path $RepoRoot 'sdk/scripts'

# Runs a script the way Run Command does (named string parameters) and returns its exit code,
# its output and what it wrote to the standard error stream.
function Invoke-ScriptUnderTest([string]$Path, [hashtable]$Parameters) {
    $errors = New-Object System.IO.StringWriter
    $previous = [Console]::Error
    [Console]::SetError($errors)
    $global:LASTEXITCODE = -999
    try { $out = @(& $Path @Parameters 2>&1 | ForEach-Object { "$_" }) }
    finally { [Console]::SetError($previous) }
    $err = $errors.ToString()
    return [pscustomobject]@{
        ExitCode = $global:LASTEXITCODE
        Out = $out
        Err = $err
        Text = (($out -join "`n") + "`n" + $err)
    }
}

# A Windows machine as the scripts see it: the WinHTTP default proxy and HKLM values.
function New-FakeWindows {
    return [pscustomobject]@{
        # 1 is WINHTTP_ACCESS_TYPE_NO_PROXY (direct), what a fresh machine reports.
        WinHttp = [pscustomobject]@{ AccessType = 1; Proxy = ''; Bypass = '' }
        Registry = @{}
        # Policy keys that exist; the two parents of the script's keys exist on every Windows Server.
        Keys = New-Object 'System.Collections.Generic.HashSet[string]'
        NetshCalls = New-Object System.Collections.Generic.List[string]
    }
}

# A fresh fake machine in $global:FakeMachine, and the Windows boundary of the scripts (netsh,
# the WinHTTP read-back, HKLM policy values) mocked onto it. Call it from BeforeEach: Pester
# registers the mocks in the block that is running, whoever calls Mock.
function Use-FakeWindows {
    $global:FakeMachine = New-FakeWindows
    Mock Invoke-Netsh { Invoke-FakeNetsh $global:FakeMachine $Arguments }
    Mock Get-WinHttpDefaultProxy { $global:FakeMachine.WinHttp }
    Mock Get-PolicyValue { $global:FakeMachine.Registry["$SubKey\$Name"] }
    Mock Set-PolicyValue {
        [void]$global:FakeMachine.Keys.Add($SubKey)
        $global:FakeMachine.Registry["$SubKey\$Name"] = [pscustomobject]@{ Kind = $Kind; Value = $Value }
    }
    Mock Test-PolicyKey { $global:FakeMachine.Keys.Contains($SubKey) }
    Mock Remove-PolicyKeyIfEmpty {
        if (@($global:FakeMachine.Registry.Keys | Where-Object { $_.StartsWith("$SubKey\") }).Count -gt 0) { return $false }
        [void]$global:FakeMachine.Keys.Remove($SubKey)
        return $true
    }
    Mock Restore-PolicyValue {
        if ($null -eq $Saved) { $global:FakeMachine.Registry.Remove("$SubKey\$Name") }
        else { $global:FakeMachine.Registry["$SubKey\$Name"] = $Saved }
    }
}

# Does what netsh.exe does to WinHTTP for the commands the script may send.
function Invoke-FakeNetsh($Machine, [string[]]$Arguments) {
    $Machine.NetshCalls.Add(($Arguments -join ' '))
    if ($Arguments.Count -ge 4 -and $Arguments[0] -eq 'winhttp' -and $Arguments[1] -eq 'set' -and $Arguments[2] -eq 'proxy') {
        $server = ''
        $bypass = ''
        foreach ($a in $Arguments[3..($Arguments.Count - 1)]) {
            if ($a.StartsWith('proxy-server=')) { $server = $a.Substring(13) }
            elseif ($a.StartsWith('bypass-list=')) { $bypass = $a.Substring(12) }
            else { return [pscustomobject]@{ ExitCode = 1; Output = "Invalid parameter" } }
        }
        $Machine.WinHttp = [pscustomobject]@{ AccessType = 3; Proxy = $server; Bypass = $bypass }
        return [pscustomobject]@{ ExitCode = 0; Output = 'Current WinHTTP proxy settings: ...' }
    }
    if (($Arguments -join ' ') -eq 'winhttp reset proxy') {
        $Machine.WinHttp = [pscustomobject]@{ AccessType = 1; Proxy = ''; Bypass = '' }
        return [pscustomobject]@{ ExitCode = 0; Output = 'Direct access (no proxy server).' }
    }
    return [pscustomobject]@{ ExitCode = 1; Output = 'The following command was not found' }
}

function Get-FreeTcpPort {
    $listener = New-Object System.Net.Sockets.TcpListener([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { return ([System.Net.IPEndPoint]$listener.LocalEndpoint).Port } finally { $listener.Stop() }
}

function Test-TcpPort([int]$Port) {
    $client = New-Object System.Net.Sockets.TcpClient
    try {
        $pending = $client.BeginConnect('127.0.0.1', $Port, $null, $null)
        if (-not $pending.AsyncWaitHandle.WaitOne(500)) { return $false }
        $client.EndConnect($pending)
        return $true
    }
    catch { return $false }
    finally { $client.Close() }
}

# A real Squid on 127.0.0.1 that lets CONNECT through to $TargetPort for $AllowedHosts only.
# Every probe name (allowed or not) is mapped to 127.0.0.1 in Squid's own hosts file, so an
# allowed CONNECT really completes (to the local listener on $TargetPort) and a denied one is
# refused by the ACL, not by a failed lookup. Nothing leaves the machine.
# Twin of startSquid in test/squidServer.ts (the mocha specs' helper, which Pester cannot load):
# the same directives up to the ACL lines (127.0.0.1 only, everything Squid writes in $dir, names
# from its own hosts file, DNS to 127.0.0.1), the same -N start and readiness wait. A change to
# one belongs in the other.
function Start-TestSquid([string[]]$AllowedHosts, [string[]]$DeniedHosts, [int]$TargetPort) {
    $squid = @('/usr/sbin/squid', '/usr/local/sbin/squid') | Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
    if ($null -eq $squid) { throw 'squid is not installed: apt-get install squid, or bash tools/install-test-tools.sh (this test never skips)' }
    $dir = Join-Path ([IO.Path]::GetTempPath()) ('win-route-squid-' + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $dir | Out-Null
    $port = Get-FreeTcpPort
    $names = @($AllowedHosts) + @($DeniedHosts)
    Set-Content -LiteralPath (Join-Path $dir 'hosts') -Value ((@('127.0.0.1 localhost') + ($names | ForEach-Object { "127.0.0.1 $_" })) -join "`n")
    $conf = @(
        "http_port 127.0.0.1:$port",
        'visible_hostname windows-route-test.invalid',
        "pid_filename $dir/squid.pid",
        "cache_log $dir/cache.log",
        "access_log stdio:$dir/access.log squid",
        'cache_store_log none',
        'netdb_filename none',
        'pinger_enable off',
        "coredump_dir $dir",
        'cache deny all',
        "hosts_file $dir/hosts",
        'dns_nameservers 127.0.0.1',
        'dns_timeout 2 seconds',
        'connect_timeout 2 seconds',
        'forward_max_tries 1',
        'shutdown_lifetime 0 seconds',
        "acl probe_port port $TargetPort",
        "acl probe_hosts dstdomain $($AllowedHosts -join ' ')",
        'http_access allow CONNECT probe_port probe_hosts',
        'http_access deny all'
    )
    Set-Content -LiteralPath (Join-Path $dir 'squid.conf') -Value ($conf -join "`n")
    & chmod 755 $dir
    if ((& id -u) -eq '0') { & chown -R proxy:proxy $dir }
    $info = New-Object System.Diagnostics.ProcessStartInfo
    $info.FileName = $squid
    $info.Arguments = "-N -f $dir/squid.conf"
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.RedirectStandardError = $true
    $process = [System.Diagnostics.Process]::Start($info)
    $deadline = [DateTime]::UtcNow.AddSeconds(20)
    while (-not (Test-TcpPort $port)) {
        if ($process.HasExited -or [DateTime]::UtcNow -gt $deadline) {
            $log = if (Test-Path "$dir/cache.log") { Get-Content -Raw "$dir/cache.log" } else { '' }
            if (-not $process.HasExited) { $process.Kill() }
            throw "Squid did not start listening on 127.0.0.1:${port}: $log"
        }
        Start-Sleep -Milliseconds 100
    }
    return [pscustomobject]@{ Process = $process; Port = $port; Dir = $dir }
}

function Stop-TestSquid($Squid) {
    if ($null -eq $Squid) { return }
    if (-not $Squid.Process.HasExited) {
        $Squid.Process.Kill()
        [void]$Squid.Process.WaitForExit(5000)
    }
    Remove-Item -LiteralPath $Squid.Dir -Recurse -Force -ErrorAction SilentlyContinue
}

# Stub definitions, with the script's own parameter lists, for its boundary functions: Mock needs
# the command to exist where it is called, and binds the mock's parameters from its signature.
# Dot-source the result: . ([scriptblock]::Create((Get-BoundaryStubs $path $names)))
# Fails when the script has no such function, so a renamed boundary cannot go untested.
function Get-BoundaryStubs([string]$Path, [string[]]$Names) {
    $tokens = $null
    $errors = $null
    $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$errors)
    $functions = $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false)
    $stubs = foreach ($name in $Names) {
        $fn = @($functions | Where-Object { $_.Name -eq $name })
        if ($fn.Count -ne 1) { throw "$Path defines $($fn.Count) functions named $name, expected 1" }
        $params = if ($null -ne $fn[0].Parameters) { ($fn[0].Parameters | ForEach-Object { $_.Extent.Text }) -join ', ' } else { '' }
        "function $name($params) { throw 'not mocked: $name' }"
    }
    return ($stubs -join "`n")
}

# The text between "# BEGIN shared" and "# END shared" in a script, or $null without both markers.
function Get-SharedSection([string]$Text) {
    $begin = $Text.IndexOf('# BEGIN shared', [StringComparison]::Ordinal)
    $end = $Text.IndexOf('# END shared', [StringComparison]::Ordinal)
    if ($begin -lt 0 -or $end -lt $begin) { return $null }
    return $Text.Substring($begin, $end - $begin)
}

# Names of the functions a script defines outside its shared section.
function Get-OwnFunctionNames([string]$Text) {
    $shared = Get-SharedSection $Text
    $own = if ($null -eq $shared) { $Text } else { $Text.Replace($shared, '') }
    $ast = [System.Management.Automation.Language.Parser]::ParseInput($own, [ref]$null, [ref]$null)
    return @($ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false) | ForEach-Object { $_.Name })
}

# Functions the shared section calls that each script defines for itself, on purpose differently
# (the OS-proxy script's Stop-WithError rolls back what it wrote before it exits).
$EachScriptOwns = @('Stop-WithError')

# What is wrong with the code two scripts share, checked from each side: both carry the section,
# the two copies are the same text (the first differing line is named), and no function is
# defined in both scripts outside it (a second copy that would drift), but for $EachScriptOwns.
# Empty when all is well.
function Get-SharedSectionProblems([string]$TextA, [string]$NameA, [string]$TextB, [string]$NameB) {
    $problems = New-Object System.Collections.Generic.List[string]
    $a = Get-SharedSection $TextA
    $b = Get-SharedSection $TextB
    if ($null -eq $a) { $problems.Add("$NameA has no '# BEGIN shared' ... '# END shared' section") }
    if ($null -eq $b) { $problems.Add("$NameB has no '# BEGIN shared' ... '# END shared' section") }
    if ($null -ne $a -and $null -ne $b -and -not [string]::Equals($a, $b, [StringComparison]::Ordinal)) {
        $la = $a -split "`n"
        $lb = $b -split "`n"
        $i = 0
        while ($i -lt [Math]::Min($la.Count, $lb.Count) -and [string]::Equals($la[$i], $lb[$i], [StringComparison]::Ordinal)) { $i++ }
        $problems.Add("the shared sections differ from line $($i + 1) of the section: $NameA has '$(if ($i -lt $la.Count) { $la[$i].Trim() })', $NameB has '$(if ($i -lt $lb.Count) { $lb[$i].Trim() })'")
    }
    $ownA = Get-OwnFunctionNames $TextA
    $ownB = Get-OwnFunctionNames $TextB
    foreach ($f in $ownA) { if ($ownB -contains $f -and $EachScriptOwns -notcontains $f) { $problems.Add("$f is defined in both $NameA and $NameB outside the shared section") } }
    return , $problems.ToArray()
}
