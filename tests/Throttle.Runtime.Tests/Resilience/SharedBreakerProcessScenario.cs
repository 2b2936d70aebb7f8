using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace Throttle.Tests.Resilience;

/// <summary>
/// Issue 16's cross-process proof, run by a test per Redis topology (one server, a cluster): three OS processes
/// (<see cref="BreakerWorker"/>) on one shared breaker: failures in one open all three; after the break exactly one
/// call across the three is let in as the trial; its success closes all three. Every wait is on an answer of a worker,
/// bounded by <see cref="SharedBreakers.Guard"/>.
/// </summary>
internal static class SharedBreakerProcessScenario
{
    private const int Processes = 3;
    private const int HoldsPerProcess = 2;

    /// <param name="connection">The StackExchange.Redis connection string every worker gets.</param>
    /// <param name="prefix">The storage key prefix, the test's own.</param>
    /// <param name="expectedConnection">What each worker must report it connected to, such as <c>Cluster 3</c>.</param>
    /// <param name="output">Where the phases' durations go.</param>
    public static async Task RunAsync(string connection, string prefix, string expectedConnection, ITestOutputHelper output)
    {
        var clock = Stopwatch.StartNew();
        void Phase(string what) => output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalMilliseconds,7:0} ms  {what}"));

        var starting = Enumerable.Range(0, Processes).Select(_ => BreakerWorker.StartAsync(connection, prefix)).ToArray();
        try
        {
            await Task.WhenAll(starting);
        }
        catch
        {
            foreach (var started in starting.Where(s => s.IsCompletedSuccessfully))
            {
                await started.Result.DisposeAsync();
            }

            throw;
        }

        var workers = starting.Select(s => s.Result).ToArray();
        try
        {
            Assert.All(workers, w => Assert.Equal(expectedConnection, w.Connected));
            Phase($"{Processes} workers connected ({expectedConnection})");
            foreach (var worker in workers)
            {
                Assert.Equal("ok", await worker.AskAsync("ok")); // first use: each joins the shared breaker
            }

            // Threshold failures in the first process; the other two made no call since, and are open all the same.
            for (var i = 0; i < workers[0].FailureThreshold; i++)
            {
                Assert.Equal("failed", await workers[0].AskAsync("fail"));
            }

            await Task.WhenAll(workers.Select(w => w.AwaitStateAsync("Open")));
            Phase("open in every process");
            foreach (var worker in workers.Skip(1))
            {
                var rejection = await worker.AskAsync("ok");
                Assert.StartsWith("rejected ", rejection, StringComparison.Ordinal);
                Assert.InRange(long.Parse(rejection["rejected ".Length..], CultureInfo.InvariantCulture), 1, workers[2].BreakMilliseconds);
            }

            // After the break every process tries, twice each, with calls that hold: exactly one is let in.
            await Task.WhenAll(workers.Select(w => w.AwaitStateAsync("HalfOpen")));
            Phase("half-open in every process");
            var holds = workers.SelectMany(w => Enumerable.Range(0, HoldsPerProcess).Select(_ => (Worker: w, Id: w.Send("hold")))).ToArray();
            var answers = await Task.WhenAll(holds.Select(async h => (h.Worker, h.Id, First: await h.Worker.WaitForAsync(h.Id + " "))));
            var entered = answers.Where(a => a.First == "entered").ToArray();
            Assert.True(entered.Length == 1, "Calls let in: " + string.Join(", ", answers.Select(a => a.Id + "=" + a.First)));
            Assert.All(answers.Where(a => a.First != "entered"), a => Assert.StartsWith("rejected ", a.First, StringComparison.Ordinal));
            var trial = entered[0];
            Phase($"one trial of {answers.Length} calls, in process {Array.IndexOf(workers, trial.Worker)}");

            // The trial succeeds: all three close, and run calls again.
            trial.Worker.SendLine("release " + trial.Id);
            Assert.Equal("ok", await trial.Worker.OutcomeAsync(trial.Id));
            await Task.WhenAll(workers.Select(w => w.AwaitStateAsync("Closed")));
            foreach (var worker in workers)
            {
                Assert.Equal("ok", await worker.AskAsync("ok"));
            }

            Phase("closed in every process");
        }
        catch
        {
            Log(workers, output);
            throw;
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }

    private static void Log(BreakerWorker[] workers, ITestOutputHelper output)
    {
        for (var i = 0; i < workers.Length; i++)
        {
            output.WriteLine($"worker {i.ToString(CultureInfo.InvariantCulture)} output:{Environment.NewLine}{workers[i].Output}");
        }
    }
}
