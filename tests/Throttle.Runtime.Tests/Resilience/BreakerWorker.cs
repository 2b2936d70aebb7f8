using System;
using System.Collections.Generic;
using System.Diagnostics;
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
    private readonly List<(string Prefix, TaskCompletionSource<string> Found)> _waiters = [];
    private int _nextId;

    private BreakerWorker(string endpoint, string prefix)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(WorkerPath);
        start.ArgumentList.Add(endpoint);
        start.ArgumentList.Add(prefix);
        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
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

    public static async Task<BreakerWorker> StartAsync(string endpoint, string prefix)
    {
        var worker = new BreakerWorker(endpoint, prefix);
        await worker.WaitForAsync("READY");
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

    /// <summary>The first line starting with <paramref name="prefix"/>, without it.</summary>
    public async Task<string> WaitForAsync(string prefix)
    {
        Task<string> found;
        lock (_lines)
        {
            var line = _lines.FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
            if (line is not null)
            {
                return line[prefix.Length..];
            }

            var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((prefix, waiter));
            found = waiter.Task;
        }

        try
        {
            return (await found.WaitAsync(SharedBreakers.Guard))[prefix.Length..];
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No line '{prefix}…' from the worker. Its output:{Environment.NewLine}{Output}");
        }
    }

    /// <summary>Whether a line starting with <paramref name="prefix"/> has arrived.</summary>
    public bool HasLine(string prefix)
    {
        lock (_lines)
        {
            return _lines.Any(l => l.StartsWith(prefix, StringComparison.Ordinal));
        }
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
                if (line.StartsWith(_waiters[i].Prefix, StringComparison.Ordinal))
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
