using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using StackExchange.Redis;
using Throttle.Internal;

namespace Throttle.Storage.Redis;

/// <summary>
/// The one way Throttle talks to Redis: the connection, the key layout (<see cref="Keys"/>), the scripts
/// (<see cref="RedisScripts"/>), the bound on every call (<see cref="RedisStorageOptions.OperationTimeout"/>, connecting
/// included) and the failure policy (<see cref="RedisStorageOptions.FailureMode"/>). Limiters, key/value operations,
/// the hybrid storage and semaphores all call through it; so must anything later that keeps state in Redis.
/// </summary>
/// <remarks>
/// A call that cannot reach Redis in time fails with <see cref="ThrottleStorageException"/> naming <see cref="Endpoint"/>.
/// The connection reconnects by itself, so calls work again once Redis is back. A call that timed out may still have
/// been applied by the server.
/// </remarks>
internal sealed class RedisLayer : IAsyncDisposable
{
    private readonly Task<IConnectionMultiplexer> _connecting;
    private readonly bool _ownsConnection;
    // Scripts a call on this layer has run by text: later calls send only their SHA (see EvaluateAsync).
    private readonly ConcurrentDictionary<RedisScript, bool> _loaded = new();
    private IDatabase? _database;
    private int _disposed;

    private RedisLayer(Task<IConnectionMultiplexer> connecting, bool ownsConnection, RedisStorageOptions options, string endpoint)
    {
        _connecting = connecting;
        TaskObserver.ObserveFailure(connecting); // a failed connect is reported by every call that waits for it, not by the finalizer
        _ownsConnection = ownsConnection;
        Options = options;
        Keys = new RedisKeys(options.KeyPrefix);
        Endpoint = endpoint;
    }

    /// <summary>The settings in force: a snapshot, so later changes to the caller's options have no effect.</summary>
    public RedisStorageOptions Options { get; }

    /// <summary>The key layout under <see cref="RedisStorageOptions.KeyPrefix"/>.</summary>
    public RedisKeys Keys { get; }

    /// <summary>The Redis endpoints, host:port, comma-separated: what <see cref="ThrottleStorageException"/> names.</summary>
    public string Endpoint { get; }

    /// <summary>The metrics and logs hook of the runtime on this layer (the last one, if runtimes share a storage).</summary>
    public Throttle.Telemetry.RedisTelemetry? Telemetry { get; set; }

    /// <summary>Whether a limiter should swallow an unreachable Redis (fail open or closed) rather than throw.</summary>
    public bool AbsorbsFailures => Options.FailureMode != StorageFailureMode.Throw;

    /// <summary>A layer on a connection the caller owns (disposing the layer leaves it open).</summary>
    public static RedisLayer On(IConnectionMultiplexer connection, RedisStorageOptions? options)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var layer = new RedisLayer(Task.FromResult(connection), ownsConnection: false, Snapshot(options), Describe(connection.GetEndPoints()));
        layer._database = connection.GetDatabase();
        return layer;
    }

    /// <summary>A layer that connects in the background (the process starts without Redis) and owns its connection.</summary>
    public static RedisLayer Connect(ConfigurationOptions configuration, RedisStorageOptions? options)
    {
        var snapshot = Snapshot(options);
        var timeoutMs = (int)Math.Ceiling(snapshot.OperationTimeout.TotalMilliseconds);

        // Never abort on a failed first connect: keep retrying in the background, each call bounded by the timeout.
        configuration.AbortOnConnectFail = false;
        configuration.ConnectTimeout = timeoutMs;
        configuration.AsyncTimeout = timeoutMs;
        configuration.SyncTimeout = timeoutMs;
        var endpoint = Describe(configuration.EndPoints);
        return new RedisLayer(ConnectAsync(configuration), ownsConnection: true, snapshot, endpoint);
    }

    /// <summary>
    /// Runs one script: one round trip, bounded like every call. The first call of a script on this layer sends its text
    /// (the client loads it); later calls send only its SHA (<c>EVALSHA</c>). A server that refuses the SHA before running
    /// anything (<c>NOSCRIPT</c>: restarted, flushed, a promoted replica; or a slot that moved again) is sent the text,
    /// within what is left of the same bound.
    /// </summary>
    public ValueTask<RedisResult> EvaluateAsync(RedisScript script, RedisKey[] keys, RedisValue[] args, CancellationToken cancellationToken)
    {
        script.CheckArity(keys.Length, args.Length);
        var started = Stopwatch.GetTimestamp();
        if (!_loaded.ContainsKey(script))
        {
            return ByTextAsync(script, keys, args, started, cancellationToken);
        }

        var byHash = RunAsync(static (db, s) => db.ScriptEvaluateAsync(s.script.Hash, s.keys, s.args), (script, keys, args), started, cancellationToken);
        return byHash.IsCompletedSuccessfully ? byHash : ByHashOrTextAsync(byHash, script, keys, args, started, cancellationToken);
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RedisResult> ByHashOrTextAsync(
        ValueTask<RedisResult> byHash, RedisScript script, RedisKey[] keys, RedisValue[] args, long started, CancellationToken cancellationToken)
    {
        try
        {
            return await byHash.ConfigureAwait(false);
        }
        catch (RedisServerException exception) when (NothingRan(exception))
        {
            return await ByTextAsync(script, keys, args, started, cancellationToken).ConfigureAwait(false);
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<RedisResult> ByTextAsync(
        RedisScript script, RedisKey[] keys, RedisValue[] args, long started, CancellationToken cancellationToken)
    {
        var result = await RunAsync(static (db, s) => db.ScriptEvaluateAsync(s.script.Text, s.keys, s.args), (script, keys, args), started, cancellationToken)
            .ConfigureAwait(false);
        _loaded.TryAdd(script, true);
        return result;
    }

    // NOSCRIPT, or a slot that moved again after the client's one redirect (a cluster failover): the server refused
    // before running anything, so sending the text (which the client routes, redirects and loads anew) runs it once.
    private static bool NothingRan(RedisServerException exception) =>
        exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal)
        || exception.Message.StartsWith("Key has MOVED", StringComparison.Ordinal);

    /// <summary>Subscribes to <paramref name="channel"/>, bounded like every call.</summary>
    public ValueTask<bool> SubscribeAsync(RedisChannel channel, Action<RedisChannel, RedisValue> handler, CancellationToken cancellationToken) =>
        RunAsync(
            static async (db, s) =>
            {
                await db.Multiplexer.GetSubscriber().SubscribeAsync(s.channel, s.handler).ConfigureAwait(false);
                return true;
            },
            (channel, handler),
            cancellationToken);

    /// <summary>Unsubscribes from <paramref name="channel"/>, bounded like every call.</summary>
    public ValueTask<bool> UnsubscribeAsync(RedisChannel channel, Action<RedisChannel, RedisValue> handler) =>
        RunAsync(
            static async (db, s) =>
            {
                await db.Multiplexer.GetSubscriber().UnsubscribeAsync(s.channel, s.handler).ConfigureAwait(false);
                return true;
            },
            (channel, handler),
            CancellationToken.None);

    /// <summary>
    /// Runs one Redis call, bounded by the operation timeout (connecting included) and the token. Connection failures and
    /// timeouts become <see cref="ThrottleStorageException"/> naming the endpoint.
    /// </summary>
    public ValueTask<TResult> RunAsync<TState, TResult>(
        Func<IDatabase, TState, Task<TResult>> operation, TState state, CancellationToken cancellationToken) =>
        RunAsync(operation, state, Stopwatch.GetTimestamp(), cancellationToken);

    /// <summary>Runs one Redis call within what is left of a bound that began at <paramref name="started"/>.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<TResult> RunAsync<TState, TResult>(
        Func<IDatabase, TState, Task<TResult>> operation, TState state, long started, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        try
        {
            var database = _database ?? await ConnectedDatabaseAsync(cancellationToken).ConfigureAwait(false);
            var task = operation(database, state);
            if (!task.IsCompleted)
            {
                var remaining = Options.OperationTimeout - Stopwatch.GetElapsedTime(started);
                try
                {
                    await task.WaitAsync(remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    // Abandoned (timed out or cancelled) while still in flight: its own failure, when the client gives up
                    // on it later, is observed here so that it never reaches TaskScheduler.UnobservedTaskException.
                    TaskObserver.ObserveFailure(task);
                    throw;
                }
            }

            var result = await task.ConfigureAwait(false);
            Telemetry?.Succeeded(started);
            return result;
        }
        catch (Exception exception) when (Volatile.Read(ref _disposed) != 0 && _ownsConnection && exception is not ObjectDisposedException
                                          && !(exception is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // The layer closed its connection under this call.
            throw new ObjectDisposedException(nameof(RedisStorage), "The Redis storage was disposed while this operation was in flight: " + exception.Message);
        }
        catch (Exception exception) when (IsUnavailable(exception, cancellationToken))
        {
            Telemetry?.Failed(started, exception);
            throw new ThrottleStorageException(
                $"Redis at {Endpoint} could not be reached within {Options.OperationTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s: {exception.Message}",
                Endpoint,
                exception);
        }
        catch (RedisServerException exception) when (exception.Message.Contains("would produce NaN or Infinity", StringComparison.OrdinalIgnoreCase))
        {
            // The increment script refused, leaving the value as it was: the same error as the in-memory storage's.
            throw new OverflowException("The result would not be a finite number; the stored value is unchanged. " + exception.Message, exception);
        }
        catch (RedisServerException exception) when (exception.Message.Contains("not a valid float", StringComparison.OrdinalIgnoreCase)
                                                   || exception.Message.StartsWith("WRONGTYPE", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The Redis key holds a value this operation cannot use: " + exception.Message, exception);
        }
    }

    /// <summary>Closes the connection if the layer opened it; a connection passed in stays open.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0 || !_ownsConnection)
        {
            return;
        }

        var connection = await _connecting.ConfigureAwait(false);
        await connection.CloseAsync(allowCommandsToComplete: false).ConfigureAwait(false);
        connection.Dispose();
    }

    private static bool IsUnavailable(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        RedisConnectionException or RedisTimeoutException or TimeoutException => true,
        RedisServerException server => server.Message.StartsWith("LOADING", StringComparison.Ordinal)
            || server.Message.StartsWith("MASTERDOWN", StringComparison.Ordinal)
            || server.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal)
            || server.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal),
        _ => false,
    };

    private async ValueTask<IDatabase> ConnectedDatabaseAsync(CancellationToken cancellationToken)
    {
        var connection = await _connecting.WaitAsync(Options.OperationTimeout, cancellationToken).ConfigureAwait(false);
        var database = connection.GetDatabase();
        _database = database;
        return database;
    }

    private static RedisStorageOptions Snapshot(RedisStorageOptions? options) => (options ?? new RedisStorageOptions()).Copy();

    private static async Task<IConnectionMultiplexer> ConnectAsync(ConfigurationOptions configuration) =>
        await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false);

    private static string Describe(IEnumerable<EndPoint> endpoints) =>
        string.Join(",", endpoints.Select(static endpoint => endpoint switch
        {
            DnsEndPoint dns => string.Create(CultureInfo.InvariantCulture, $"{dns.Host}:{dns.Port}"),
            _ => endpoint.ToString() ?? "?",
        }));
}
