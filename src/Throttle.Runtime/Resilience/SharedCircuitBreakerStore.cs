using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Storage.Redis;

namespace Throttle.Resilience;

/// <summary>
/// The Redis side of one shared circuit breaker: its key and channel, and one script per operation
/// (<c>breaker-*.lua</c>, see <see cref="RedisScripts.CircuitBreakerJoin"/>), each one round trip through the
/// <see cref="RedisLayer"/> (so bounded by its operation timeout, failing with <c>ThrottleStorageException</c>).
/// </summary>
internal sealed class SharedCircuitBreakerStore
{
    // Settings and state outlive the break by this much without a write: long enough that a healthy breaker, which
    // writes nothing, keeps its settings for a week; short enough that a retired name does not stay forever.
    private static readonly TimeSpan s_idleTtl = TimeSpan.FromDays(7);

    private readonly RedisLayer _layer;
    private readonly CircuitBreakerKeys _keys;
    private readonly RedisValue[] _settings;
    private readonly RedisValue[] _settingsTrial;
    private readonly RedisValue[] _settingsNoTrial;

    /// <param name="layer">The runtime's Redis layer.</param>
    /// <param name="name">The breaker's name: the key's hash tag.</param>
    /// <param name="failureThreshold">The threshold this process uses.</param>
    /// <param name="breakDuration">The break this process uses.</param>
    /// <param name="user">Who uses it, stored with the settings by the first process and named in a conflict.</param>
    public SharedCircuitBreakerStore(RedisLayer layer, string name, int failureThreshold, TimeSpan breakDuration, string user)
    {
        _layer = layer;
        _keys = layer.Keys.CircuitBreaker(name);
        BreakMilliseconds = Math.Max(1, (long)Math.Ceiling(breakDuration.TotalMilliseconds));
        var ttl = BreakMilliseconds + (long)s_idleTtl.TotalMilliseconds;
        Id = Guid.NewGuid().ToString("N");
        _settings =
        [
            failureThreshold.ToString(CultureInfo.InvariantCulture),
            BreakMilliseconds.ToString(CultureInfo.InvariantCulture),
            user,
            ttl.ToString(CultureInfo.InvariantCulture),
            Id,
            _keys.ChannelName,
        ];
        _settingsTrial = [.. _settings, "1"];
        _settingsNoTrial = [.. _settings, "0"];
    }

    /// <summary>This process's breaker among all (the half-open trial's holder), unique across processes.</summary>
    public string Id { get; }

    /// <summary>The break as stored: whole milliseconds, at least 1.</summary>
    public long BreakMilliseconds { get; }

    /// <summary>The Redis endpoint(s), for messages.</summary>
    public string Endpoint => _layer.Endpoint;

    /// <summary>The announcement channel (sharded pub/sub).</summary>
    public RedisChannel Channel => _keys.Channel;

    /// <summary>The state key, for tests.</summary>
    internal RedisKey StateKey => _keys.State[0];

    public ValueTask<SharedBreakerAnswer> JoinAsync(CancellationToken cancellationToken) =>
        RunAsync(RedisScripts.CircuitBreakerJoin, _settings, cancellationToken);

    public ValueTask<SharedBreakerAnswer> FailureAsync(bool trial, CancellationToken cancellationToken) =>
        RunAsync(RedisScripts.CircuitBreakerFailure, trial ? _settingsTrial : _settingsNoTrial, cancellationToken);

    public ValueTask<SharedBreakerAnswer> SuccessAsync(bool trial, CancellationToken cancellationToken) =>
        RunAsync(RedisScripts.CircuitBreakerSuccess, trial ? _settingsTrial : _settingsNoTrial, cancellationToken);

    public ValueTask<SharedBreakerAnswer> TrialAsync(CancellationToken cancellationToken) =>
        RunAsync(RedisScripts.CircuitBreakerTrial, _settings, cancellationToken);

    public ValueTask<SharedBreakerAnswer> ReleaseAsync(CancellationToken cancellationToken) =>
        RunAsync(RedisScripts.CircuitBreakerRelease, _settings, cancellationToken);

    /// <summary>Isolates (<paramref name="isolate"/>) or closes the circuit for every process.</summary>
    public ValueTask<SharedBreakerAnswer> SetAsync(bool isolate, CancellationToken cancellationToken) =>
        RunAsync(RedisScripts.CircuitBreakerSet, [.. _settings, isolate ? "2" : "0"], cancellationToken);

    public ValueTask<bool> SubscribeAsync(Action<RedisChannel, RedisValue> handler, CancellationToken cancellationToken) =>
        _layer.SubscribeAsync(_keys.Channel, handler, cancellationToken);

    public ValueTask<bool> UnsubscribeAsync(Action<RedisChannel, RedisValue> handler) => _layer.UnsubscribeAsync(_keys.Channel, handler);

    private async ValueTask<SharedBreakerAnswer> RunAsync(RedisScript script, RedisValue[] args, CancellationToken cancellationToken) =>
        SharedBreakerAnswer.Parse((RedisResult[])(await _layer.EvaluateAsync(script, _keys.State, args, cancellationToken).ConfigureAwait(false))!);
}
