using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using Throttle.Limiters;
using Throttle.Storage;
using Throttle.Storage.Redis;
using Throttle.Telemetry;
using Throttle.Tests.Infrastructure;
using Throttle.Tests.Storage.Redis;
using Xunit;

namespace Throttle.Tests.Telemetry;

/// <summary>The Redis layer's failures and the failure policy's decisions, against an endpoint nothing listens on.</summary>
public sealed class RedisTelemetryTests
{
    private static readonly TimeSpan s_noHang = TimeSpan.FromSeconds(15);

    [Theory]
    [InlineData(StorageFailureMode.FailOpen, "fail_open")]
    [InlineData(StorageFailureMode.FailClosed, "fail_closed")]
    public async Task An_unreachable_Redis_is_counted_and_the_policy_engaging_is_logged_once(StorageFailureMode mode, string modeName)
    {
        var endpoint = "127.0.0.1:" + RedisTestHelpers.FreePort();
        await using var storage = new RedisStorage(endpoint, new RedisStorageOptions { OperationTimeout = TimeSpan.FromMilliseconds(300), FailureMode = mode });
        using var kit = new TelemetryTestKit(options =>
        {
            options.TimeProvider = null;
            options.Storage = storage;
        });
        using var decisions = kit.Collect<long>(TelemetryNames.RedisFailurePolicyDecisions);
        using var failures = kit.Collect<long>(TelemetryNames.RedisFailures);
        using var durations = kit.Collect<double>(TelemetryNames.RedisOperationDuration);
        var site = Sites.RateLimit("Ns.Type.Redis()", 10, 1, 0, RateLimitStrategy.TokenBucket, null, null, 0);

        using (ThrottleRuntime.Use(kit.Runtime))
        {
            for (var i = 0; i < 2; i++)
            {
                // A key each: calls for one key are coalesced, and a caller that joins a key's lane as its call fails
                // shares that failure without a call of its own (RedisAcquireCoalescer), which would count one failure.
                var attempt = site.AcquireAsync("k" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), CancellationToken.None).AsTask().WaitAsync(s_noHang);
                if (mode == StorageFailureMode.FailOpen)
                {
                    await attempt;
                }
                else
                {
                    await Assert.ThrowsAsync<RateLimitRejectedException>(() => attempt);
                }
            }
        }

        Assert.Equal(2, decisions.GetMeasurementSnapshot().Count(m => (string?)m.Tags[TelemetryNames.FailureModeTag] == modeName));
        Assert.Equal(2, failures.GetMeasurementSnapshot().Sum(m => m.Value));
        Assert.All(failures.GetMeasurementSnapshot(), m => Assert.NotNull(m.Tags[TelemetryNames.ErrorTypeTag]));
        Assert.Equal(2, durations.GetMeasurementSnapshot().Count);
        var engaged = Assert.Single(kit.LogsWithId(5001));
        Assert.Equal(LogLevel.Warning, engaged.Level);
        Assert.Contains(endpoint, engaged.Message);
        Assert.Contains(modeName, engaged.Message);
        Assert.Empty(kit.LogsWithId(5002));
    }
}
