using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Polly.CircuitBreaker;
using StackExchange.Redis;
using Throttle.Storage.Redis;

namespace Throttle.Breaker.Worker;

/// <summary>
/// Runs one <see cref="Upstream"/> (a generated shared breaker) in its own OS process on the Redis at
/// <c>&lt;connection&gt;</c> (a StackExchange.Redis connection string: one server, or a cluster's comma-separated
/// endpoints), under key prefix <c>&lt;prefix&gt;</c>, and calls it as standard input says, one line a command, each with
/// an id the answer repeats. Usage: <c>&lt;connection&gt; &lt;prefix&gt;</c>; once every master is connected it prints
/// <c>READY &lt;server type&gt; &lt;masters&gt; &lt;failure threshold&gt; &lt;break ms&gt;</c> (such as <c>READY Cluster 3 3 2000</c>), then:
/// <code>
/// ok &lt;id&gt;       a call that succeeds         → &lt;id&gt; ok | &lt;id&gt; rejected &lt;retry-after ms&gt;
/// fail &lt;id&gt;     a call that fails (counted)  → &lt;id&gt; failed | &lt;id&gt; rejected &lt;retry-after ms&gt;
/// hold &lt;id&gt;     a call that waits for release (answers at once if rejected) → &lt;id&gt; entered, later &lt;id&gt; ok | failed
/// release &lt;id&gt;  ends the held call &lt;id&gt; with a success; release-fail &lt;id&gt; with a failure
/// state &lt;id&gt;    → &lt;id&gt; state Closed | Open | HalfOpen | Isolated
/// await-state &lt;state&gt; &lt;id&gt;  answers &lt;id&gt; state &lt;state&gt; once the breaker is in it (the test bounds the wait)
/// stop
/// </code>
/// Any other outcome prints <c>&lt;id&gt; error &lt;type&gt;: &lt;message&gt;</c>.
/// </summary>
public static class Program
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> s_held = new();

    // A process whose connection misses a master would fall back to a local breaker; it exits saying so instead.
    // Shorter than the tests' guard, so they see why.
    private static readonly TimeSpan s_connectTimeout = TimeSpan.FromSeconds(15);

    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 2)
        {
            await Console.Error.WriteLineAsync("usage: <connection> <prefix>").ConfigureAwait(false);
            return 2;
        }

        var configuration = ConfigurationOptions.Parse(args[0]);
        configuration.AbortOnConnectFail = false;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        if (await ConnectedMastersAsync(redis).ConfigureAwait(false) is not { } ready)
        {
            await Console.Error.WriteLineAsync($"not connected to every master within {s_connectTimeout.TotalSeconds:0} s: {redis.GetStatus()}").ConfigureAwait(false);
            return 3;
        }

        await using var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions().UseRedis(redis, new RedisStorageOptions { KeyPrefix = args[1] }));
        var upstream = new Upstream(runtime);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"READY {ready} {Upstream.FailureThreshold} {Upstream.BreakSeconds * 1000:0}"));
        while (await Console.In.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            var parts = line.Split(' ', 2);
            var id = parts.Length > 1 ? parts[1] : "-";
            switch (parts[0])
            {
                case "ok":
                    Print(id, await CallAsync(upstream, _ => ValueTask.CompletedTask).ConfigureAwait(false));
                    break;
                case "fail":
                    Print(id, await CallAsync(upstream, _ => ValueTask.FromException(new UpstreamFailureException())).ConfigureAwait(false));
                    break;
                case "hold":
                    _ = HoldAsync(upstream, id);
                    break;
                case "release":
                case "release-fail":
                    if (s_held.TryRemove(id, out var held))
                    {
                        held.TrySetResult(parts[0] == "release");
                    }

                    break;
                case "state":
                    Print(id, "state " + StateOf(runtime));
                    break;
                case "await-state":
                    var wanted = id.Split(' ', 2);
                    _ = AwaitStateAsync(runtime, wanted[0], wanted.Length > 1 ? wanted[1] : "-");
                    break;
                case "stop":
                    return 0;
            }
        }

        return 0;
    }

    /// <summary>
    /// Waits until every master the connection knows (the seeds, then those the cluster reports) is connected;
    /// returns <c>&lt;server type&gt; &lt;masters&gt;</c>, or <see langword="null"/> after <see cref="s_connectTimeout"/>.
    /// </summary>
    private static async Task<string?> ConnectedMastersAsync(ConnectionMultiplexer redis)
    {
        using var timeout = new CancellationTokenSource(s_connectTimeout);
        while (true)
        {
            var masters = redis.GetServers().Where(s => !s.IsReplica).ToArray();
            if (masters.Length > 0 && masters.All(s => s.IsConnected))
            {
                return masters[0].ServerType + " " + masters.Length.ToString(CultureInfo.InvariantCulture);
            }

            try
            {
                // AbortOnConnectFail = false returns before every node is connected; nothing signals the last one.
                await Task.Delay(20, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
    }

    private static string StateOf(ThrottleRuntime runtime) =>
        runtime.TryGetCircuitBreaker(Upstream.BreakerName, out var breaker) ? breaker.State.ToString() : "None";

    /// <summary>Answers once the breaker is in <paramref name="state"/>; the state is computed (an open break ends by time), so it is polled here, in process.</summary>
    private static async Task AwaitStateAsync(ThrottleRuntime runtime, string state, string id)
    {
        while (StateOf(runtime) != state)
        {
            await Task.Delay(5).ConfigureAwait(false);
        }

        Print(id, "state " + state);
    }

    private static async Task HoldAsync(Upstream upstream, string id)
    {
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        s_held[id] = release;
        var result = await CallAsync(upstream, async _ =>
        {
            Print(id, "entered");
            if (!await release.Task.ConfigureAwait(false))
            {
                throw new UpstreamFailureException();
            }
        }).ConfigureAwait(false);
        s_held.TryRemove(id, out _);
        Print(id, result);
    }

    private static async Task<string> CallAsync(Upstream upstream, Func<CancellationToken, ValueTask> body)
    {
        try
        {
            await upstream.CallAsync(body, CancellationToken.None).ConfigureAwait(false);
            return "ok";
        }
        catch (UpstreamFailureException)
        {
            return "failed";
        }
        catch (BrokenCircuitException rejected)
        {
            return "rejected " + (long)(rejected.RetryAfter ?? TimeSpan.Zero).TotalMilliseconds;
        }
        catch (Exception other)
        {
            return "error " + other.GetType().Name + ": " + other.Message.Replace('\n', ' ');
        }
    }

    private static void Print(string id, string text)
    {
        lock (s_held)
        {
            Console.WriteLine(id + " " + text);
        }
    }
}
