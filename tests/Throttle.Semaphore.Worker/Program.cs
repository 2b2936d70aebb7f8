using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Semaphores;

namespace Throttle.Semaphore.Worker;

/// <summary>
/// Contends for, or holds, a <see cref="DistributedBoundedSemaphore"/> in its own OS process. Usage:
/// <code>
/// contend &lt;endpoint&gt; &lt;key&gt; &lt;value&gt; &lt;tasks&gt; &lt;iterations&gt; &lt;counterKey&gt; &lt;maxKey&gt; &lt;leaseMs&gt;
/// hold &lt;endpoint&gt; &lt;key&gt; &lt;value&gt; &lt;leaseMs&gt;
/// bench &lt;endpoint&gt; throttle|dlock contended|uncontended|handoff &lt;seconds&gt;
/// </code>
/// <c>contend</c> runs tasks that each take a slot <c>iterations</c> times; inside the critical section they
/// increment an independent Redis counter, record its highest value in <c>maxKey</c>, and decrement it again. It
/// prints <c>DONE &lt;acquisitions&gt;</c>. <c>hold</c> takes one slot, prints <c>ACQUIRED</c> and waits to be killed.
/// <c>bench</c> measures, see <see cref="SemaphoreBench"/>.
/// </summary>
public static class Program
{
    // INCR the counter and keep the highest value seen, atomically: the independent witness of mutual exclusion.
    private const string EnterScript = """
        local v = redis.call('INCR', KEYS[1])
        local m = tonumber(redis.call('GET', KEYS[2]) or '0')
        if v > m then redis.call('SET', KEYS[2], v) end
        return v
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 1)
        {
            await Console.Error.WriteLineAsync("usage: contend|hold ...").ConfigureAwait(false);
            return 2;
        }

        var options = ConfigurationOptions.Parse(args[1]);
        options.AbortOnConnectFail = false;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
        return args[0] switch
        {
            "contend" => await ContendAsync(redis, args).ConfigureAwait(false),
            "hold" => await HoldAsync(redis, args).ConfigureAwait(false),
            "bench" => await SemaphoreBench.RunAsync(redis, args).ConfigureAwait(false),
            _ => 2,
        };
    }

    private static async Task<int> ContendAsync(ConnectionMultiplexer redis, string[] args)
    {
        var key = args[2];
        var value = Int(args[3]);
        var tasks = Int(args[4]);
        var iterations = Int(args[5]);
        RedisKey counter = args[6];
        RedisKey max = args[7];
        var lease = TimeSpan.FromMilliseconds(Int(args[8]));
        await using var semaphore = new DistributedBoundedSemaphore(redis, key, value, TimeSpan.FromSeconds(0.5), leaseTime: lease);
        var database = redis.GetDatabase();
        var acquisitions = 0;
        var workers = new Task[tasks];
        for (var t = 0; t < tasks; t++)
        {
            workers[t] = Task.Run(async () =>
            {
                for (var i = 0; i < iterations; i++)
                {
                    await using var held = await semaphore.AcquireAsync(CancellationToken.None).ConfigureAwait(false);
                    await database.ScriptEvaluateAsync(EnterScript, [counter, max]).ConfigureAwait(false);
                    await Task.Delay(Random.Shared.Next(1, 5)).ConfigureAwait(false);
                    await database.StringDecrementAsync(counter).ConfigureAwait(false);
                    Interlocked.Increment(ref acquisitions);
                }
            });
        }

        await Task.WhenAll(workers).ConfigureAwait(false);
        Console.WriteLine("DONE " + acquisitions.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    private static async Task<int> HoldAsync(ConnectionMultiplexer redis, string[] args)
    {
        var semaphore = new DistributedBoundedSemaphore(redis, args[2], Int(args[3]), leaseTime: TimeSpan.FromMilliseconds(Int(args[4])));
        var lease = await semaphore.AcquireAsync(CancellationToken.None).ConfigureAwait(false);
        Console.WriteLine("ACQUIRED");
        await Task.Delay(Timeout.Infinite).ConfigureAwait(false);
        GC.KeepAlive(lease);
        return 0;
    }

    private static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);
}
