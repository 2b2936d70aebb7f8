using System;
using System.Linq;
using System.Threading.Tasks;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Resilience;

/// <summary>
/// Three OS processes (tests/Throttle.Breaker.Worker: a generated <c>[CircuitBreaker(Shared = true)]</c>, threshold 3,
/// break 2 s) on one real redis-server.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class SharedCircuitBreakerProcessTests(RedisFixture redis)
{
    [RedisFact]
    public async Task Failures_in_one_process_open_all_three_one_trial_runs_across_them_and_its_success_closes_all()
    {
        var prefix = redis.KeyPrefix();
        var workers = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => BreakerWorker.StartAsync(redis.Endpoint, prefix)));
        try
        {
            foreach (var worker in workers)
            {
                Assert.Equal("ok", await worker.AskAsync("ok")); // first use: each joins the shared breaker
            }

            // Three failures in the first process; the other two made no call since, and are open all the same.
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal("failed", await workers[0].AskAsync("fail"));
            }

            foreach (var worker in workers)
            {
                await EventuallyStateAsync(worker, "Open");
            }

            var rejection = await workers[2].AskAsync("ok");
            Assert.StartsWith("rejected ", rejection, StringComparison.Ordinal);
            Assert.InRange(long.Parse(rejection["rejected ".Length..], System.Globalization.CultureInfo.InvariantCulture), 1, 2000);

            // After the break every process tries, twice each, with calls that hold: exactly one is let in.
            foreach (var worker in workers)
            {
                await EventuallyStateAsync(worker, "HalfOpen");
            }

            var holds = workers.SelectMany(w => new[] { (Worker: w, Id: w.Send("hold")), (Worker: w, Id: w.Send("hold")) }).ToArray();
            var answers = await Task.WhenAll(holds.Select(async h =>
            {
                var first = await h.Worker.WaitForAsync(h.Id + " ");
                return (h.Worker, h.Id, First: first);
            }));
            var entered = answers.Where(a => a.First == "entered").ToArray();
            Assert.True(entered.Length == 1, "Calls let in: " + string.Join(", ", answers.Select(a => a.Id + "=" + a.First)));
            Assert.All(answers.Where(a => a.First != "entered"), a => Assert.StartsWith("rejected ", a.First, StringComparison.Ordinal));

            // The trial succeeds: all three close, and run calls again.
            var trial = entered[0];
            trial.Worker.SendLine("release " + trial.Id);
            await trial.Worker.WaitForAsync(trial.Id + " ok");
            foreach (var worker in workers)
            {
                await EventuallyStateAsync(worker, "Closed");
                Assert.Equal("ok", await worker.AskAsync("ok"));
            }
        }
        finally
        {
            foreach (var worker in workers)
            {
                await worker.DisposeAsync();
            }
        }
    }

    private static async Task EventuallyStateAsync(BreakerWorker worker, string state)
    {
        var deadline = DateTime.UtcNow + SharedBreakers.Guard;
        string now;
        while ((now = await worker.StateAsync()) != state)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The worker's breaker stayed {now}, not {state}. Output:{Environment.NewLine}{worker.Output}");
            await Task.Delay(10);
        }
    }
}
