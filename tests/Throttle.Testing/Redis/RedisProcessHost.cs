using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Testing.Redis;

/// <summary>
/// A <c>redis-server</c> child process bound to 127.0.0.1 on a port of its own, without persistence, in its own
/// temporary directory. It can be stopped and started again on the same port.
/// </summary>
/// <remarks>
/// On Unix the server is started through a tiny <c>/bin/sh</c> wrapper that leaves a watchdog on the wrapper's
/// standard input, a pipe whose other end only this process holds: when this process dies, even by SIGKILL, the
/// pipe closes and the watchdog kills the server and removes its directory, so neither outlives the test host.
/// </remarks>
internal sealed class RedisProcessHost : IRedisHost
{
    private const int PortAttempts = 3;

    // Arguments: the server's directory, then the server command. The watchdog subshell waits for end-of-file on the
    // pipe, then kills the server ($$: the shell's pid, which the server keeps through exec) and removes its directory.
    private const string WatchdogScript =
        "dir=$1; shift\n" +
        "exec 3<&0\n" +
        "{ while read -r _; do :; done; kill -9 $$; rm -rf \"$dir\"; } <&3 >/dev/null 2>&1 &\n" +
        "exec \"$@\" </dev/null 3<&-\n";

    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan s_stopTimeout = TimeSpan.FromSeconds(10);

    private readonly string _binary;
    private readonly string _directory;
    private readonly BoundedLog _output = new(200);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private Process? _process;
    private bool _disposed;
    private bool _lostPort;

    private readonly string[] _extraArguments;

    private RedisProcessHost(string binary, int port, string[] extraArguments)
    {
        _binary = binary;
        Port = port;
        _extraArguments = extraArguments;
        _directory = Directory.CreateTempSubdirectory("throttle-redis-").FullName;
    }

    public int Port { get; }

    public string Endpoint => "127.0.0.1:" + Port.ToString(CultureInfo.InvariantCulture);

    public string Description => $"redis-server child process ({_binary}) on {Endpoint}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>
    /// Starts <paramref name="binary"/> on a free loopback port, trying another port if that one was taken meanwhile.
    /// <paramref name="extraArguments"/> adds server arguments (a cluster node's), asked anew for each port tried.
    /// </summary>
    public static async Task<RedisProcessHost> StartNewAsync(string binary, CancellationToken cancellationToken, Func<string[]>? extraArguments = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var host = new RedisProcessHost(binary, LoopbackPort.GetFree(), extraArguments?.Invoke() ?? []);
            try
            {
                await host.StartAsync(cancellationToken).ConfigureAwait(false);
                return host;
            }
            catch (InvalidOperationException) when (attempt < PortAttempts && host._lostPort)
            {
                await host.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await host.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (IsRunning)
            {
                return;
            }

            DiscardProcess();
            var process = Launch();
            _process = process;
            HostCleanup.Track(this);
            await WaitUntilReadyAsync(process, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task StopAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await StopCoreAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Kill()
    {
        if (_process is not { } process)
        {
            TryDeleteDirectory();
        }
        else if (OperatingSystem.IsWindows())
        {
            KillTree(process);
            process.WaitForExit(s_stopTimeout);
            TryDeleteDirectory();
        }
        else
        {
            // The test host may be torn down at any moment now: hand over to the watchdog, which kills the server and
            // removes its directory on its own (it would do so on our death anyway).
            process.StandardInput.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            await StopCoreAsync().ConfigureAwait(false);
            TryDeleteDirectory();
            HostCleanup.Untrack(this);
        }
        finally
        {
            _gate.Release();
        }
    }

    private Process Launch()
    {
        var startInfo = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _directory,
        };

        if (OperatingSystem.IsWindows())
        {
            startInfo.FileName = _binary;
        }
        else
        {
            startInfo.FileName = "/bin/sh";
            startInfo.ArgumentList.Add("-c");
            startInfo.ArgumentList.Add(WatchdogScript);
            startInfo.ArgumentList.Add("throttle-redis-watchdog");
            startInfo.ArgumentList.Add(_directory);
            startInfo.ArgumentList.Add(_binary);
        }

        foreach (var argument in ServerArguments())
        {
            startInfo.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => AddOutput(e.Data);
        process.ErrorDataReceived += (_, e) => AddOutput(e.Data);
        _output.Add($"--- starting: {_binary} {string.Join(' ', ServerArguments().Select(Quote))}");
        try
        {
            process.Start();
        }
        catch (Exception exception) when (exception is System.ComponentModel.Win32Exception or IOException)
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start {_binary}: {exception.Message}", exception);
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private string[] ServerArguments() =>
    [
        "--port", Port.ToString(CultureInfo.InvariantCulture),
        "--bind", "127.0.0.1",
        "--save", string.Empty,
        "--appendonly", "no",
        "--dir", _directory,
        "--daemonize", "no",
        .. _extraArguments,
    ];

    private async Task WaitUntilReadyAsync(Process process, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(s_startTimeout);
        try
        {
            // Bounded retry: the port opens a few milliseconds after the process starts. The server is ours only if it
            // reports our process id (the wrapper execs the server, so the ids match).
            while (true)
            {
                var serverProcessId = await RedisProcessIdProbe.TryGetAsync("127.0.0.1", Port, TimeSpan.FromSeconds(1), deadline.Token)
                    .ConfigureAwait(false);
                if (serverProcessId == process.Id)
                {
                    return;
                }

                if (serverProcessId is not null)
                {
                    _lostPort = true;
                    await StopCoreAsync().ConfigureAwait(false);
                    throw StartFailure($"another Redis server (pid {serverProcessId}) already listens on port {Port}");
                }

                if (process.HasExited)
                {
                    await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                    _lostPort = _output.Contains("Address already in use");
                    throw StartFailure($"it exited with code {process.ExitCode}");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(25), deadline.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await StopCoreAsync().ConfigureAwait(false);
            throw StartFailure($"it did not answer within {s_startTimeout.TotalSeconds:0} s");
        }
        catch (OperationCanceledException)
        {
            await StopCoreAsync().ConfigureAwait(false);
            throw;
        }
    }

    private InvalidOperationException StartFailure(string reason) =>
        new($"redis-server failed to start on {Endpoint}: {reason}. Binary: {_binary}. Output:{Environment.NewLine}{_output}");

    private async Task StopCoreAsync()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        KillTree(process);
        using (var timeout = new CancellationTokenSource(s_stopTimeout))
        {
            try
            {
                // Also waits for the output pipes to close, i.e. the server is gone and its port is free.
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                throw new InvalidOperationException($"redis-server on {Endpoint} did not exit within {s_stopTimeout.TotalSeconds:0} s of SIGKILL.");
            }
        }

        DiscardProcess();
    }

    private void DiscardProcess()
    {
        var process = _process;
        _process = null;
        process?.Dispose();
    }

    private static void KillTree(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Exiting while being killed.
        }
    }

    private void AddOutput(string? line)
    {
        if (line is not null)
        {
            _output.Add(line);
        }
    }

    private void TryDeleteDirectory()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: it is a temporary directory.
        }
        catch (UnauthorizedAccessException)
        {
            // Best effort: it is a temporary directory.
        }
    }

    private static string Quote(string argument) => argument.Length == 0 ? "''" : argument;
}
