using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Throttle.Limiters.Backends;
using Throttle.Storage.Redis;

namespace Throttle.Redis.LoadClient;

/// <summary>
/// Hammers one key of a Redis limiter and prints the number of granted acquires on stdout.
/// Usage: <c>Throttle.Redis.LoadClient &lt;endpoint&gt; &lt;keyPrefix&gt; &lt;TokenBucket|SlidingWindow|LeakyBucket&gt; &lt;scope&gt;
/// &lt;key&gt; &lt;capacity&gt; &lt;perSecond&gt; &lt;windowSeconds&gt; &lt;tasks&gt; &lt;attemptsPerTask&gt;</c>.
/// Waits for a line on stdin before starting, so a test can start several processes and release them together.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length != 10)
        {
            await Console.Error.WriteLineAsync("usage: <endpoint> <keyPrefix> <algorithm> <scope> <key> <capacity> <perSecond> <windowSeconds> <tasks> <attemptsPerTask>");
            return 2;
        }

        var algorithm = Enum.Parse<LimiterAlgorithm>(args[2]);
        var capacity = double.Parse(args[5], CultureInfo.InvariantCulture);
        var perSecond = double.Parse(args[6], CultureInfo.InvariantCulture);
        var window = TimeSpan.FromSeconds(double.Parse(args[7], CultureInfo.InvariantCulture));
        var tasks = int.Parse(args[8], CultureInfo.InvariantCulture);
        var attempts = int.Parse(args[9], CultureInfo.InvariantCulture);

        await using var storage = new RedisStorage(args[0], new RedisStorageOptions { KeyPrefix = args[1], OperationTimeout = TimeSpan.FromSeconds(10) });
        var backend = storage.CreateLimiterBackend(new LimiterDefinition(algorithm, args[3], capacity, perSecond, window));
        var rate = new LimiterRate(capacity, perSecond);
        var key = args[4];

        // Warm up the connection and the script, then tell the test we are ready and wait for its go.
        await backend.GetStatsAsync(key, rate, CancellationToken.None);
        Console.WriteLine("ready");
        await Console.In.ReadLineAsync();

        var granted = 0;
        var workers = new Task[tasks];
        for (var t = 0; t < tasks; t++)
        {
            workers[t] = Task.Run(async () =>
            {
                for (var i = 0; i < attempts; i++)
                {
                    if ((await backend.TryAcquireAsync(key, 1, rate, CancellationToken.None)).IsAcquired)
                    {
                        Interlocked.Increment(ref granted);
                    }
                }
            });
        }

        await Task.WhenAll(workers);
        Console.WriteLine(granted.ToString(CultureInfo.InvariantCulture));
        return 0;
    }
}
