using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Tests.Coordination;

/// <summary>Runs tests/Throttle.Coordination.Worker as a separate OS process and records each line it prints, with when it arrived.</summary>
internal sealed class CoordinationWorker : IDisposable
{
    private readonly Process _process;
    private readonly List<(long At, string Line)> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    private CoordinationWorker(int id, string[] arguments)
    {
        Id = id;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(WorkerPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public static string WorkerPath
    {
        get
        {
            var path = typeof(CoordinationWorker).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(attribute => attribute.Key == "CoordinationWorkerPath").Value!;
            return File.Exists(path) ? Path.GetFullPath(path) : throw new FileNotFoundException("Build tests/Throttle.Coordination.Worker first.", path);
        }
    }

    public int Id { get; }

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<(long At, string Line)> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToArray();
            }
        }
    }

    public string Output => string.Join(Environment.NewLine, Lines.Select(l => l.Line));

    public static CoordinationWorker Start(int id, params string[] arguments) => new(id, arguments);

    /// <summary>The first line (already printed or still to come) that matches, with its arrival timestamp.</summary>
    public Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan guard)
    {
        lock (_lines)
        {
            foreach (var (_, line) in _lines)
            {
                if (match(line))
                {
                    return Task.FromResult(line);
                }
            }

            var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
            return found.Task.WaitAsync(guard);
        }
    }

    public long ArrivalOf(string line) => Lines.First(l => l.Line == line).At;

    public async Task StopAsync(TimeSpan guard)
    {
        await _process.StandardInput.WriteLineAsync("stop");
        await _process.StandardInput.FlushAsync();
        using var cancellation = new CancellationTokenSource(guard);
        await _process.WaitForExitAsync(cancellation.Token);
    }

    /// <summary>kill -9.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        var at = Stopwatch.GetTimestamp();
        List<TaskCompletionSource<string>> found = [];
        lock (_lines)
        {
            _lines.Add((at, line));
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
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
