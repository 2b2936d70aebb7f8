using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Storage.Redis;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

/// <summary>
/// The sliding window scripts against a plain model of the window (every admitted call's time and tokens), on a clock
/// the test sets: the scripts' TIME is replaced by a read of two keys. Thousands of random steps (single requests,
/// coalesced batches of equal and of different sizes, releases, stats; time moving on by a little, by more than a
/// window, not at all, or back) must give exactly the model's decisions, retry delays and quotas, every write leaving
/// both keys with a TTL.
/// </summary>
[Collection(RedisFixture.CollectionName)]
public sealed class RedisSlidingWindowScriptModelTests(RedisFixture redis)
{
    // A long window: the keys' TTLs (in real time) outlast the test whatever its fake clock does.
    private const double WindowMicros = 1_000_000_000;
    private const double Capacity = 50;
    private static readonly double[] s_weights = [0.5, 1, 1, 1, 1.5, 2, 2.5, 4];

    [RedisTheory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Random_steps_decide_as_the_model(int seed)
    {
        var prefix = redis.KeyPrefix(nameof(Random_steps_decide_as_the_model) + seed);
        var clock = (Seconds: (RedisKey)(prefix + "clock:s"), Micros: (RedisKey)(prefix + "clock:u"));
        string WithClock(RedisScript script) => script.Text.Replace(
            "redis.call('TIME')", $"{{ redis.call('GET', '{clock.Seconds}'), redis.call('GET', '{clock.Micros}') }}", StringComparison.Ordinal);
        var acquire = WithClock(RedisScripts.SlidingWindowAcquire);
        var acquireEach = WithClock(RedisScripts.SlidingWindowAcquireEach);
        var release = WithClock(RedisScripts.SlidingWindowRelease);
        var stats = WithClock(RedisScripts.SlidingWindowStats);
        Assert.NotEqual(RedisScripts.SlidingWindowAcquire.Text, acquire);

        RedisKey[] keys = [prefix + "{k}:log", prefix + "{k}:state"];
        var db = redis.Database;
        var model = new WindowModel();
        var random = new Random(seed);
        var now = 1_800_000_000_000_000L;
        RedisValue window = WindowMicros.ToString("R", CultureInfo.InvariantCulture);
        RedisValue capacity = Capacity.ToString("R", CultureInfo.InvariantCulture);

        for (var step = 0; step < 1500; step++)
        {
            now += random.Next(10) switch
            {
                0 => 0,
                1 => -random.Next(1, 50_000_000), // TIME stepped back
                2 => (long)WindowMicros + random.Next(1_000_000), // idle for more than a window
                _ => random.Next(1, 80_000_000),
            };
            await db.StringSetAsync(clock.Seconds, (now / 1_000_000).ToString(CultureInfo.InvariantCulture));
            await db.StringSetAsync(clock.Micros, (now % 1_000_000).ToString(CultureInfo.InvariantCulture));
            var what = $"seed {seed}, step {step}, now {now}";

            switch (random.Next(12))
            {
                case < 5:
                {
                    var tokens = random.Next(3) == 0 ? s_weights[random.Next(s_weights.Length)] : 1;
                    var answer = await EvaluateAsync(acquire, [capacity, window, Format(tokens)]);
                    var (granted, retry, available) = model.Acquire(now, tokens, 1);
                    Assert.True(answer.Length == 2, what);
                    Assert.True(granted == 1 ? answer[0] == -1 : Close(answer[0], retry), $"{what}: acquire {tokens} answered {answer[0]}, the model {(granted == 1 ? -1 : retry)}");
                    Assert.True(Close(answer[1], available), $"{what}: available {answer[1]}, the model {available}");
                    break;
                }

                case < 7:
                {
                    var tokens = s_weights[random.Next(s_weights.Length)];
                    var count = random.Next(1, 40);
                    var answer = await EvaluateAsync(acquire, [capacity, window, Format(tokens), count]);
                    var (granted, retry, available) = model.Acquire(now, tokens, count);
                    Assert.True(answer[0] == granted, $"{what}: batch of {count} x {tokens} granted {answer[0]}, the model {granted}");
                    Assert.True(granted == count ? answer[1] == -1 : Close(answer[1], retry), $"{what}: retry {answer[1]}, the model {retry}");
                    Assert.True(Close(answer[2], available), $"{what}: available {answer[2]}, the model {available}");
                    break;
                }

                case < 8:
                {
                    var asks = Enumerable.Range(0, random.Next(1, 12)).Select(_ => s_weights[random.Next(s_weights.Length)]).ToArray();
                    var answer = await EvaluateAsync(acquireEach, [capacity, window, .. asks.Select(Format)]);
                    var (decisions, available) = model.AcquireEach(now, asks);
                    for (var i = 0; i < asks.Length; i++)
                    {
                        Assert.True(Close(answer[i], decisions[i]), $"{what}: request {i} of {string.Join(' ', asks)} answered {answer[i]}, the model {decisions[i]}");
                    }

                    Assert.True(Close(answer[asks.Length], available), $"{what}: available {answer[asks.Length]}, the model {available}");
                    break;
                }

                case < 10:
                {
                    var tokens = s_weights[random.Next(s_weights.Length)] * random.Next(1, 4);
                    await db.ScriptEvaluateAsync(release, keys, [Format(tokens), window]);
                    model.Release(now, tokens);
                    break;
                }

                default:
                {
                    var answer = (RedisResult[])(await db.ScriptEvaluateAsync(stats, keys, [capacity, window]))!;
                    var available = double.Parse((string)answer[0]!, CultureInfo.InvariantCulture);
                    Assert.True(Close(available, model.Available(now)), $"{what}: stats {available}, the model {model.Available(now)}");
                    break;
                }
            }

            foreach (var key in keys)
            {
                var ttl = await db.KeyTimeToLiveAsync(key);
                Assert.True(ttl is null ? !await db.KeyExistsAsync(key) : ttl > TimeSpan.Zero, $"{what}: {key} has no TTL");
            }
        }

        async Task<double[]> EvaluateAsync(string script, RedisValue[] args)
        {
            var bytes = (byte[])(await db.ScriptEvaluateAsync(script, keys, args))!;
            return Enumerable.Range(0, bytes.Length / 8).Select(i => BitConverter.ToDouble(bytes, i * 8)).ToArray();
        }
    }

    private static RedisValue Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static bool Close(double actual, double expected) => Math.Abs(actual - expected) <= 1e-9 * Math.Max(1, Math.Abs(expected));

    /// <summary>The window as the spec describes it: every admitted call's time and tokens, the oldest first.</summary>
    private sealed class WindowModel
    {
        private readonly List<(double Time, double Tokens)> _calls = [];
        private double _newest;

        public (int Granted, double Retry, double Available) Acquire(long now, double tokens, int count)
        {
            Leave(now);
            var sum = _calls.Sum(c => c.Tokens);
            var granted = 0;
            while (granted < count && sum + tokens <= Capacity + 1e-9)
            {
                sum += tokens;
                granted++;
            }

            var retry = granted < count ? Retry(now, tokens, sum) : -1;
            Record(now, granted * tokens, granted);
            return (granted, retry, Math.Max(0, Capacity - sum));
        }

        public (double[] Decisions, double Available) AcquireEach(long now, double[] asks)
        {
            Leave(now);
            var sum = _calls.Sum(c => c.Tokens);
            var added = 0.0;
            var decisions = new double[asks.Length];
            for (var i = 0; i < asks.Length; i++)
            {
                if (sum + asks[i] <= Capacity + 1e-9)
                {
                    sum += asks[i];
                    added += asks[i];
                    decisions[i] = -1;
                }
                else
                {
                    decisions[i] = Retry(now, asks[i], sum);
                }
            }

            Record(now, added, added > 0 ? 1 : 0);
            return (decisions, Math.Max(0, Capacity - sum));
        }

        public void Release(long now, double tokens)
        {
            if (_calls.Count == 0 && _newest == 0)
            {
                return;
            }

            Leave(now);
            for (var i = _calls.Count - 1; i >= 0 && tokens > 1e-9; i--)
            {
                var take = Math.Min(_calls[i].Tokens, tokens);
                tokens -= take;
                if (_calls[i].Tokens > take + 1e-9)
                {
                    _calls[i] = (_calls[i].Time, _calls[i].Tokens - take);
                }
                else
                {
                    _calls.RemoveAt(i);
                }
            }

            if (_calls.Count == 0)
            {
                _newest = 0; // an emptied window is deleted, so the next call starts afresh
            }
        }

        // Stats read without writing: what left the window is subtracted, not forgotten.
        public double Available(long now) =>
            Math.Max(0, Math.Min(Capacity, Capacity - _calls.Where(c => c.Time > now - WindowMicros).Sum(c => c.Tokens)));

        private void Leave(long now)
        {
            while (_calls.Count > 0 && _calls[0].Time <= now - WindowMicros)
            {
                _calls.RemoveAt(0);
            }
        }

        private void Record(long now, double tokens, int granted)
        {
            if (granted > 0)
            {
                _newest = Math.Max(now, _newest);
                _calls.Add((_newest, tokens));
            }
        }

        // Until enough of the oldest calls leave for tokens to fit beside total (this call's own leave last).
        private double Retry(long now, double tokens, double total)
        {
            var freed = 0.0;
            foreach (var (time, weight) in _calls)
            {
                freed += weight;
                if (total - freed + tokens <= Capacity + 1e-9)
                {
                    return (time + WindowMicros - now) / 1_000_000;
                }
            }

            return WindowMicros / 1_000_000;
        }
    }
}
