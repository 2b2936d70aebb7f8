using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Tests.Resilience;

/// <summary>Runs tests/Throttle.Breaker.Worker as a separate OS process: sends it commands, waits for their answers.</summary>
internal sealed class BreakerWorker : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Matches, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly Task _exited;
    private int _nextId;

    private BreakerWorker(string connection, string prefix)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(WorkerPath);
        start.ArgumentList.Add(connection);
        start.ArgumentList.Add(prefix);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        _exited = _process.WaitForExitAsync(); // completes once the process is gone and its output is read
    }

    private static string WorkerPath
    {
        get
        {
            var path = typeof(BreakerWorker).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(attribute => attribute.Key == "BreakerWorkerPath").Value!;
            return File.Exists(path) ? Path.GetFullPath(path) : throw new FileNotFoundException("Build tests/Throttle.Breaker.Worker first.", path);
        }
    }

    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join(Environment.NewLine, _lines);
            }
        }
    }

    /// <summary>What the worker connected to, from its READY line: <c>&lt;server type&gt; &lt;masters&gt;</c>, such as <c>Cluster 3</c>.</summary>
    public string Connected { get; private set; } = string.Empty;

    /// <summary>The worker's breaker's <c>FailureThreshold</c>, from its READY line.</summary>
    public int FailureThreshold { get; private set; }

    /// <summary>The worker's breaker's break in milliseconds, from its READY line.</summary>
    public long BreakMilliseconds { get; private set; }

    /// <summary>Starts a worker on <paramref name="connection"/> (a StackExchange.Redis connection string) and waits until it is connected.</summary>
    public static async Task<BreakerWorker> StartAsync(string connection, string prefix)
    {
        var worker = new BreakerWorker(connection, prefix);
        try
        {
            // READY <server type> <masters> <failure threshold> <break ms>
            var ready = (await worker.WaitForAsync("READY ")).Split(' ');
            worker.Connected = ready[0] + " " + ready[1];
            worker.FailureThreshold = int.Parse(ready[2], CultureInfo.InvariantCulture);
            worker.BreakMilliseconds = long.Parse(ready[3], CultureInfo.InvariantCulture);
        }
        catch
        {
            await worker.DisposeAsync();
            throw;
        }

        return worker;
    }

    /// <summary>Sends <paramref name="command"/> with a new id; returns the id.</summary>
    public string Send(string command)
    {
        var id = "c" + Interlocked.Increment(ref _nextId);
        _process.StandardInput.WriteLine(command + " " + id);
        _process.StandardInput.Flush();
        return id;
    }

    /// <summary>Sends one line as it is (a release names the held call's id).</summary>
    public void SendLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Sends <paramref name="command"/> and returns its answer (without the id).</summary>
    public async Task<string> AskAsync(string command)
    {
        var id = Send(command);
        return await WaitForAsync(id + " ");
    }

    public async Task<string> StateAsync() => (await AskAsync("state"))["state ".Length..];

    /// <summary>Returns once the worker's breaker is in <paramref name="state"/>; a timeout (<see cref="SharedBreakers.Guard"/>) names its last state.</summary>
    public async Task AwaitStateAsync(string state)
    {
        try
        {
            await AskAsync("await-state " + state);
        }
        catch (TimeoutException timeout)
        {
            throw new TimeoutException($"The worker's breaker did not become {state}; it is {await StateAsync()}. {timeout.Message}", timeout);
        }
    }

    /// <summary>The first line starting with <paramref name="prefix"/>, without it.</summary>
    public Task<string> WaitForAsync(string prefix) => WaitForAsync(prefix, _ => true);

    /// <summary>The answer that ends the held call <paramref name="id"/> (the first after its <c>entered</c>), such as <c>ok</c>.</summary>
    public Task<string> OutcomeAsync(string id) => WaitForAsync(id + " ", rest => rest != "entered");

    /// <summary>The first line starting with <paramref name="prefix"/> whose rest <paramref name="matches"/>, without the prefix.</summary>
    private async Task<string> WaitForAsync(string prefix, Func<string, bool> matches)
    {
        bool Matches(string line) => line.StartsWith(prefix, StringComparison.Ordinal) && matches(line[prefix.Length..]);
        Task<string> found;
        lock (_lines)
        {
            var line = _lines.FirstOrDefault(Matches);
            if (line is not null)
            {
                return line[prefix.Length..];
            }

            var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((Matches, waiter));
            found = waiter.Task;
        }

        try
        {
            await Task.WhenAny(found, _exited).WaitAsync(SharedBreakers.Guard);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No line '{prefix}…' from the worker within {SharedBreakers.Guard.TotalSeconds:0} s. Its output:{Environment.NewLine}{Output}");
        }

        return found.IsCompleted
            ? (await found)[prefix.Length..]
            : throw new InvalidOperationException($"The worker exited (code {_process.ExitCode}) before a line '{prefix}…'. Its output:{Environment.NewLine}{Output}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await _process.StandardInput.WriteLineAsync("stop");
                await _process.StandardInput.FlushAsync();
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(stop.Token);
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        List<TaskCompletionSource<string>> found = [];
        lock (_lines)
        {
            _lines.Add(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Matches(line))
                {
                    found.Add(_waiters[i].Found);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var waiter in found)
        {
            waiter.TrySetResult(line);
        }
    }
}
