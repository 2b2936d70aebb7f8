using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Samples.Tests;

/// <summary>
/// One GatherStats process, started from the sample's build output with <c>dotnet &lt;dll&gt;</c> and killed (with its
/// children) on dispose, whatever the test did.
/// </summary>
internal sealed class SampleProcess : IAsyncDisposable
{
    /// <summary>How long a start may take on a busy machine before the test fails (a guard, not an expectation).</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    // Settings of the test run that would change what the sample does; each test passes its own.
    private static readonly string[] s_inheritedSettings =
        ["THROTTLE_REDIS", "PORT", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "DOTNET_URLS"];

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly HttpClient _http;
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];

    private SampleProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    /// <summary>The sample's address, such as http://127.0.0.1:41234/.</summary>
    public Uri BaseAddress { get; }

    /// <summary>A client for <see cref="BaseAddress"/>.</summary>
    public HttpClient Http => _http;

    /// <summary>What the process wrote so far (stdout and stderr interleaved), for failure messages.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The built sample.</summary>
    public static string SampleDll { get; } =
        typeof(SampleProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "GatherStatsDll").Value
        ?? throw new InvalidOperationException("The test assembly does not name the sample's dll.");

    /// <summary>Starts the sample on a free loopback port (through <c>--urls</c>) and waits until GET / answers.</summary>
    /// <param name="redis">THROTTLE_REDIS, or null for memory mode.</param>
    public static Task<SampleProcess> StartAsync(string? redis = null) => StartAsync(redis, new Dictionary<string, string?>());

    /// <summary>
    /// Starts the sample on a free loopback port with THROTTLE_REDIS <paramref name="redis"/> and the configuration
    /// <paramref name="settings"/> (environment variables such as <c>GatherStats__LicenceReportSeconds</c>).
    /// </summary>
    public static Task<SampleProcess> StartAsync(string? redis, IReadOnlyDictionary<string, string?> settings)
    {
        var port = FreePort.Get();
        var environment = new Dictionary<string, string?>(settings) { ["THROTTLE_REDIS"] = redis };
        return StartAsync(["--urls", $"http://127.0.0.1:{port}"], environment, new Uri($"http://127.0.0.1:{port}/"));
    }

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Kills the process at once (SIGKILL, like <c>kill -9</c>: no shutdown, no release) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(deadline.Token);
    }

    /// <summary>Starts the sample with <paramref name="arguments"/> and <paramref name="environment"/> and waits until GET / answers at <paramref name="baseAddress"/>.</summary>
    public static async Task<SampleProcess> StartAsync(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?> environment, Uri baseAddress)
    {
        var sample = Launch(arguments, environment, baseAddress);
        try
        {
            await sample.WaitUntilReadyAsync();
            return sample;
        }
        catch
        {
            await sample.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the sample without waiting for it; for start-up failures.</summary>
    public static SampleProcess Launch(IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?> environment, Uri baseAddress)
    {
        if (!File.Exists(SampleDll))
        {
            throw new InvalidOperationException($"The sample is not built at {SampleDll}; build tests/Throttle.Samples.Tests first.");
        }

        var start = new ProcessStartInfo(DotNetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(SampleDll)!,
        };
        start.ArgumentList.Add(SampleDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var name in s_inheritedSettings)
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = start };
        var sample = new SampleProcess(process, baseAddress);
        process.OutputDataReceived += (_, e) => sample.Append(e.Data);
        process.ErrorDataReceived += (_, e) => sample.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return sample;
    }

    /// <summary>Waits for the process to end by itself; returns its exit code. Fails the test after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The sample did not exit within {timeout.TotalSeconds} s. Output:\n{Output}");
        }

        _process.WaitForExit(); // drains the redirected output
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                await _process.WaitForExitAsync(deadline.Token);
            }
        }
        catch (InvalidOperationException)
        {
            // Never started, or already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private async Task WaitUntilReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        using var probe = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The sample exited with code {_process.ExitCode} before answering. Output:\n{Output}");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri("/", UriKind.Relative));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"The sample did not answer GET {BaseAddress} within {StartTimeout.TotalSeconds} s. Output:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Waits until the process writes a line that <paramref name="match"/> accepts (lines written before count too) and
    /// returns it; fails the test after <paramref name="timeout"/> or when the process ends first.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var seen = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_output)
        {
            foreach (var line in _output.ToString().Split('\n'))
            {
                if (match(line.TrimEnd('\r')))
                {
                    return line.TrimEnd('\r');
                }
            }

            _waiters.Add((match, seen));
        }

        try
        {
            return await seen.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The sample wrote no such line within {timeout.TotalSeconds} s. Output:\n{Output}");
        }
        finally
        {
            lock (_output)
            {
                _waiters.RemoveAll(w => w.Seen == seen);
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            // Bounded: the sample logs little, but a test must not grow without end if it does.
            if (_output.Length < 64 * 1024)
            {
                _output.AppendLine(line);
            }

            foreach (var (match, seen) in _waiters)
            {
                if (match(line))
                {
                    seen.TrySetResult(line);
                }
            }
        }
    }

    // The dotnet that runs these tests, so the sample runs on the same runtime.
    private static string DotNetHost()
    {
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
        {
            return host;
        }

        return Environment.ProcessPath is { } path && Path.GetFileNameWithoutExtension(path) == "dotnet" ? path : "dotnet";
    }
}
