using System;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Testing;

namespace Throttle.Tests.Resilience;

/// <summary>Runs tests/Throttle.Breaker.Worker as a separate OS process (<see cref="WorkerProcess"/>): sends it commands, waits for their answers.</summary>
internal sealed class BreakerWorker : IAsyncDisposable
{
    private readonly WorkerProcess _process;
    private int _nextId;

    private BreakerWorker(string connection, string prefix) =>
        _process = WorkerProcess.Start(
            WorkerProcess.PathOf(typeof(BreakerWorker).Assembly, "BreakerWorkerPath", "tests/Throttle.Breaker.Worker"),
            [connection, prefix],
            redirectInput: true);

    /// <summary>Every line the worker printed so far, for failure messages.</summary>
    public string Output => _process.Output;

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
        SendLine(command + " " + id);
        return id;
    }

    /// <summary>Sends one line as it is (a release names the held call's id).</summary>
    public void SendLine(string line) => _process.SendLine(line);

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
        var found = _process.WaitForLineAsync(
            line => line.StartsWith(prefix, StringComparison.Ordinal) && matches(line[prefix.Length..]),
            SharedBreakers.Guard);
        if (await Task.WhenAny(found, _process.Exited) != found && !found.IsCompleted)
        {
            _ = found.ContinueWith(static t => t.Exception, TaskContinuationOptions.OnlyOnFaulted); // its timeout, observed
            throw new InvalidOperationException($"The worker exited (code {_process.ExitCode}) before a line '{prefix}…'. Its output:{Environment.NewLine}{Output}");
        }

        try
        {
            return (await found)[prefix.Length..];
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"No line '{prefix}…' from the worker within {SharedBreakers.Guard.TotalSeconds:0} s. Its output:{Environment.NewLine}{Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                await _process.SendLineAsync("stop");
                await _process.WaitForExitAsync(TimeSpan.FromSeconds(10));
            }
            catch (Exception exception) when (exception is IOException or OperationCanceledException)
            {
                _process.Kill();
            }
        }

        _process.Dispose();
    }
}
