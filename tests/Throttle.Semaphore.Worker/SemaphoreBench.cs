using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Medallion.Threading.Redis;
using StackExchange.Redis;
using Throttle.Semaphores;

namespace Throttle.Semaphore.Worker;

/// <summary>
/// A small side-by-side harness (not a test, no asserts): <c>bench &lt;endpoint&gt; throttle|dlock contended|uncontended|handoff &lt;seconds&gt;</c>.
/// Prints one line of numbers: pairs per second, the spread of pairs per contender, and the server's work per pair from
/// <c>INFO commandstats</c> (script calls, every command including those run inside scripts, and script µs) and the
/// server's CPU time per pair from <c>INFO cpu</c> (all of its work, network included). The endpoint
/// must be a server of its own (the counters are server-wide) with admin commands allowed.
/// </summary>
internal static class SemaphoreBench
{
    private const int Value = 10;
    private const int Contenders = 50;

    public static async Task<int> RunAsync(ConnectionMultiplexer redis, string[] args)
    {
        var implementation = args[2];
        var scenario = args[3];
        var seconds = double.Parse(args[4], CultureInfo.InvariantCulture);
        var key = "bench-" + Guid.NewGuid().ToString("N");
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var line = scenario switch
        {
            "contended" => await ThroughputAsync(redis, server, implementation, key, Value, Contenders, seconds).ConfigureAwait(false),
            "uncontended" => await ThroughputAsync(redis, server, implementation, key, Value, 1, seconds).ConfigureAwait(false),
            "handoff" => await HandOffAsync(redis, implementation, key, seconds).ConfigureAwait(false),
            _ => null,
        };
        if (line is null)
        {
            return 2;
        }

        Console.WriteLine($"{implementation} {scenario}: {line}");
        return 0;
    }

    private static Func<CancellationToken, Task<IAsyncDisposable>> Acquirer(ConnectionMultiplexer redis, string implementation, string key, int value)
    {
        if (implementation == "dlock")
        {
            var semaphore = new RedisDistributedSemaphore(key, value, redis.GetDatabase());
            return async token => await semaphore.AcquireAsync(cancellationToken: token).ConfigureAwait(false);
        }

        var ours = new DistributedBoundedSemaphore(redis, key, value);
        return async token => await ours.AcquireAsync(token).ConfigureAwait(false);
    }

    private static async Task<string> ThroughputAsync(
        ConnectionMultiplexer redis, IServer server, string implementation, string key, int value, int contenders, double seconds)
    {
        var acquire = Acquirer(redis, implementation, key, value);
        var counts = new long[contenders];
        var measuring = 0;
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, contenders).Select(i => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                IAsyncDisposable held;
                try
                {
                    held = await acquire(stop.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                await held.DisposeAsync().ConfigureAwait(false);
                if (Volatile.Read(ref measuring) == 1)
                {
                    counts[i]++;
                }
            }
        })).ToArray();

        await Task.Delay(TimeSpan.FromSeconds(Math.Min(2, seconds / 3))).ConfigureAwait(false); // warm-up: scripts loaded, waiters queued
        var before = await StatsAsync(server).ConfigureAwait(false);
        var clock = Stopwatch.StartNew();
        Volatile.Write(ref measuring, 1);
        await Task.Delay(TimeSpan.FromSeconds(seconds)).ConfigureAwait(false);
        Volatile.Write(ref measuring, 0);
        var elapsed = clock.Elapsed.TotalSeconds;
        var after = await StatsAsync(server).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(workers).ConfigureAwait(false);

        var pairs = counts.Sum();
        var perPair = (double)Math.Max(pairs, 1);
        var mean = pairs / (double)contenders;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"pairs/s={pairs / elapsed:F0} perContender min={counts.Min()} max={counts.Max()} spread={(counts.Max() - counts.Min()) / Math.Max(mean, 1) * 100:F1}% " +
            $"scripts/pair={(after.Scripts - before.Scripts) / perPair:F2} commands/pair={(after.Commands - before.Commands) / perPair:F1} " +
            $"scriptUs/pair={(after.ScriptMicros - before.ScriptMicros) / perPair:F1} serverCpuUs/pair={(after.CpuMicros - before.CpuMicros) / perPair:F1}");
    }

    private static async Task<string> HandOffAsync(ConnectionMultiplexer redis, string implementation, string key, double seconds)
    {
        // Value 1: a holder in one connection releases, a waiter in another (as a second process would) takes it over.
        await using var other = await ConnectionMultiplexer.ConnectAsync(redis.Configuration).ConfigureAwait(false);
        var holder = Acquirer(redis, implementation, key, 1);
        var waiter = Acquirer(other, implementation, key, 1);
        var samples = new List<double>();
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            var held = await holder(CancellationToken.None).ConfigureAwait(false);
            var waiting = waiter(CancellationToken.None);
            await Task.Delay(5).ConfigureAwait(false); // the waiter is queued and waiting
            var released = Stopwatch.GetTimestamp();
            await held.DisposeAsync().ConfigureAwait(false);
            var taken = await waiting.ConfigureAwait(false);
            samples.Add(Stopwatch.GetElapsedTime(released).TotalMilliseconds);
            await taken.DisposeAsync().ConfigureAwait(false);
        }

        samples.Sort();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"n={samples.Count} p50={Percentile(samples, 0.50):F2}ms p99={Percentile(samples, 0.99):F2}ms max={samples[^1]:F2}ms");
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    private static async Task<(long Scripts, long Commands, long ScriptMicros, double CpuMicros)> StatsAsync(IServer server)
    {
        var info = await server.InfoAsync("commandstats").ConfigureAwait(false);
        long scripts = 0, commands = 0, scriptMicros = 0;
        foreach (var pair in info.SelectMany(group => group))
        {
            var name = pair.Key.Replace("cmdstat_", string.Empty, StringComparison.Ordinal);
            if (name is "info")
            {
                continue;
            }

            var fields = pair.Value.Split(',').Select(f => f.Split('=')).ToDictionary(f => f[0], f => f[1]);
            var calls = long.Parse(fields["calls"], CultureInfo.InvariantCulture);
            var usec = long.Parse(fields["usec"], CultureInfo.InvariantCulture);
            commands += calls;
            if (name is "evalsha" or "eval" or "evalsha_ro" or "eval_ro")
            {
                scripts += calls;
                scriptMicros += usec;
            }
        }

        // The server process's CPU time: unlike commandstats' µs (wall time), not inflated when a loaded machine preempts it.
        var cpu = (await server.InfoAsync("cpu").ConfigureAwait(false)).SelectMany(group => group)
            .Where(pair => pair.Key is "used_cpu_sys" or "used_cpu_user")
            .Sum(pair => double.Parse(pair.Value, CultureInfo.InvariantCulture)) * 1e6;
        return (scripts, commands, scriptMicros, cpu);
    }
}
