using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Coordination;
using Throttle.Policies;
using Throttle.Scheduling;
using Throttle.Storage.Redis;

namespace Throttle.Coordination.Worker;

/// <summary>
/// Runs a <see cref="Coordinator"/> (or a scheduler with a leader-only job) in its own OS process and prints what it
/// does, one line each, so a test can reconstruct who led when. Usage:
/// <code>
/// lead &lt;endpoint&gt; &lt;prefix&gt; &lt;lock&gt; &lt;ttlMs&gt; &lt;retryMs&gt; &lt;holdMs&gt;
/// schedule &lt;endpoint&gt; &lt;prefix&gt; &lt;lock&gt; &lt;ttlMs&gt; &lt;retryMs&gt; &lt;intervalMs&gt; &lt;runsKey&gt;
/// </code>
/// <c>lead</c> campaigns; each term prints <c>ACQUIRED &lt;token&gt; &lt;start µs&gt;</c> and, when it ends,
/// <c>LOST &lt;token&gt; &lt;reason&gt; &lt;start µs&gt; &lt;end µs&gt;</c> (server clock; the end is the latest the
/// server's clock can have read when this process stopped leading). With <c>holdMs</c> &gt; 0 a leader releases after
/// that long, so leadership moves around, and prints <c>RELEASED &lt;token&gt; &lt;server µs&gt;</c> when the release
/// deleted the lease (the term ended by then at the latest; the leader had stepped down before sending it). <c>schedule</c> runs a leader-only job every <c>intervalMs</c> that appends
/// its fencing token to the list <c>runsKey</c> and prints <c>RUN &lt;token&gt;</c>. Both print <c>READY</c> once
/// started and stop cleanly (releasing) when a line <c>stop</c> arrives on standard input.
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 7)
        {
            await Console.Error.WriteLineAsync("usage: lead|schedule <endpoint> <prefix> <lock> <ttlMs> <retryMs> <holdMs|intervalMs> [runsKey]").ConfigureAwait(false);
            return 2;
        }

        var configuration = ConfigurationOptions.Parse(args[1]);
        configuration.AbortOnConnectFail = false;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions().UseRedis(redis, new RedisStorageOptions { KeyPrefix = args[2] }));
        var options = new CoordinatorOptions
        {
            LockName = args[3],
            TtlSeconds = Int(args[4]) / 1000.0,
            RetryIntervalSeconds = Int(args[5]) / 1000.0,
        };
        return args[0] switch
        {
            "lead" => await LeadAsync(runtime, options, TimeSpan.FromMilliseconds(Int(args[6]))).ConfigureAwait(false),
            "schedule" => await ScheduleAsync(runtime, options, TimeSpan.FromMilliseconds(Int(args[6])), redis.GetDatabase(), args[7]).ConfigureAwait(false),
            _ => 2,
        };
    }

    private static async Task<int> LeadAsync(ThrottleRuntime runtime, CoordinatorOptions options, TimeSpan hold)
    {
        await using var coordinator = new Coordinator(runtime, options);
        Report(coordinator);
        if (hold > TimeSpan.Zero)
        {
            coordinator.Acquired += (_, e) => _ = ReleaseLaterAsync(coordinator, e.FencingToken, hold);
        }

        await coordinator.StartAsync().ConfigureAwait(false);
        Console.WriteLine("READY");
        await WaitForStopAsync().ConfigureAwait(false);
        await coordinator.StopAsync().ConfigureAwait(false);
        PrintRelease(coordinator);
        Console.WriteLine("STOPPED");
        return 0;
    }

    private static async Task<int> ScheduleAsync(ThrottleRuntime runtime, CoordinatorOptions options, TimeSpan interval, IDatabase database, string runsKey)
    {
        await using var coordinator = new Coordinator(runtime, options);
        Report(coordinator);
        await using var scheduler = new Scheduler(runtime);
        scheduler.UseLeadership(coordinator);
        var job = new ScheduledOptions
        {
            Name = "leader-only",
            Seconds = interval.TotalSeconds,
            OnlyOnLeader = true,
            Leadership = options.LockName,
        };
        scheduler.Add(job, async cancellationToken =>
        {
            var token = coordinator.FencingToken;
            await database.ListRightPushAsync(runsKey, token.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            await database.KeyExpireAsync(runsKey, TimeSpan.FromMinutes(5)).ConfigureAwait(false);
            Console.WriteLine("RUN " + token.ToString(CultureInfo.InvariantCulture));
        });
        await coordinator.StartAsync().ConfigureAwait(false);
        await scheduler.StartAsync().ConfigureAwait(false);
        Console.WriteLine("READY");
        await WaitForStopAsync().ConfigureAwait(false);
        await scheduler.StopAsync().ConfigureAwait(false);
        await coordinator.StopAsync().ConfigureAwait(false);
        Console.WriteLine("STOPPED");
        return 0;
    }

    private static void Report(Coordinator coordinator)
    {
        coordinator.Acquired += (_, e) => Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture, $"ACQUIRED {e.FencingToken} {e.ServerStartMicros}"));
        coordinator.Lost += (_, e) => Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture, $"LOST {e.FencingToken} {e.Reason} {e.ServerStartMicros} {e.ServerEndMicros}"));
    }

    private static void PrintRelease(Coordinator coordinator)
    {
        var (token, serverMicros) = coordinator.LastRelease;
        if (token != 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RELEASED {token} {serverMicros}"));
        }
    }

    private static async Task ReleaseLaterAsync(Coordinator coordinator, long token, TimeSpan hold)
    {
        await Task.Delay(hold).ConfigureAwait(false);
        if (coordinator.FencingToken == token)
        {
            await coordinator.ReleaseAsync().ConfigureAwait(false);
            PrintRelease(coordinator);
        }
    }

    private static async Task WaitForStopAsync()
    {
        while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            if (line == "stop")
            {
                return;
            }
        }

        // Standard input closed: the test went away; stay until killed rather than racing a release.
        await Task.Delay(Timeout.Infinite).ConfigureAwait(false);
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}
