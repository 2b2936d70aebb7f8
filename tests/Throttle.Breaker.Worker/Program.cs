using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;
using Polly.CircuitBreaker;
using StackExchange.Redis;
using Throttle.Storage.Redis;

namespace Throttle.Breaker.Worker;

/// <summary>
/// Runs one <see cref="Upstream"/> (a generated shared breaker) in its own OS process on the Redis at
/// <c>&lt;endpoint&gt;</c>, under key prefix <c>&lt;prefix&gt;</c>, and calls it as standard input says, one line a command,
/// each with an id the answer repeats. Usage: <c>&lt;endpoint&gt; &lt;prefix&gt;</c>; prints <c>READY</c>, then:
/// <code>
/// ok &lt;id&gt;       a call that succeeds         → &lt;id&gt; ok | &lt;id&gt; rejected &lt;retry-after ms&gt;
/// fail &lt;id&gt;     a call that fails (counted)  → &lt;id&gt; failed | &lt;id&gt; rejected &lt;retry-after ms&gt;
/// hold &lt;id&gt;     a call that waits for release (answers at once if rejected) → &lt;id&gt; entered, later &lt;id&gt; ok | failed
/// release &lt;id&gt;  ends the held call &lt;id&gt; with a success; release-fail &lt;id&gt; with a failure
/// state &lt;id&gt;    → &lt;id&gt; state Closed | Open | HalfOpen | Isolated
/// stop
/// </code>
/// Any other outcome prints <c>&lt;id&gt; error &lt;type&gt;: &lt;message&gt;</c>.
/// </summary>
public static class Program
{
    private static readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> s_held = new();

    public static async Task<int> Main(string[] args)
    {
        if (args.Length < 2)
        {
            await Console.Error.WriteLineAsync("usage: <endpoint> <prefix>").ConfigureAwait(false);
            return 2;
        }

        var configuration = ConfigurationOptions.Parse(args[0]);
        configuration.AbortOnConnectFail = false;
        await using var redis = await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);
        await using var runtime = new ThrottleRuntime(new ThrottleRuntimeOptions().UseRedis(redis, new RedisStorageOptions { KeyPrefix = args[1] }));
        var upstream = new Upstream(runtime);
        Console.WriteLine("READY");
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
                    Print(id, "state " + (runtime.TryGetCircuitBreaker(Upstream.BreakerName, out var breaker) ? breaker.State.ToString() : "None"));
                    break;
                case "stop":
                    return 0;
            }
        }

        return 0;
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
