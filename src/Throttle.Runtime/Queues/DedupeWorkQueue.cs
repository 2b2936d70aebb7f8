using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Queues;

/// <summary>
/// A first-in, first-out work queue that rejects an item whose key was accepted within the last <see cref="Ttl"/>
/// (README.md, "Queues and workers"): a put computes the key, rejects it as <see cref="DedupeResult.Duplicate"/> if the
/// key is in the seen set, else queues the item and records the key, which is forgotten <see cref="Ttl"/> later.
/// A put that does not end up queued (full, cancelled, stopped) does not record its key.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A work queue is a queue: the name says what it is.")]
public sealed class DedupeWorkQueue<T> : WorkQueue<T>
{
    /// <summary>The default TTL of a seen key: 300 seconds.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(300);

    private readonly ChannelBuffer<T> _buffer;
    private readonly Func<T, CancellationToken, ValueTask> _handler;
    private readonly Func<T, string> _keyFn;
    private readonly Dictionary<string, long> _seen = new(StringComparer.Ordinal);
    private readonly Queue<(string Key, long ExpiresAt)> _expiries = new();
    private long _duplicates;

    /// <summary>Creates a stopped queue; call <see cref="WorkQueue{T}.StartAsync"/> to start its workers.</summary>
    /// <param name="handler">Runs one item; receives a token cancelled when a stop gives up draining.</param>
    /// <param name="workers">Workers running items concurrently (at least 1).</param>
    /// <param name="maxSize">The most items waiting at once (at least 1).</param>
    /// <param name="ttl">How long a key stays seen after its item was accepted (positive, finite); default 300 s.</param>
    /// <param name="keyFn">The deduplication key of an item; default: its invariant-culture string form.</param>
    /// <param name="timeProvider">The clock of the TTL; default <see cref="TimeProvider.System"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1, or <paramref name="ttl"/> is not positive and finite.</exception>
    public DedupeWorkQueue(
        Func<T, CancellationToken, ValueTask> handler,
        int workers = 1,
        int maxSize = DefaultMaxSize,
        TimeSpan? ttl = null,
        Func<T, string>? keyFn = null,
        TimeProvider? timeProvider = null)
        : base(workers, maxSize, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Ttl = ttl is { } value ? QueueGuard.Positive(value, nameof(ttl)) : DefaultTtl;
        _handler = handler;
        _keyFn = keyFn ?? DefaultKey;
        _buffer = new ChannelBuffer<T>(maxSize);
    }

    /// <summary>How long a key stays seen after its item was accepted.</summary>
    public TimeSpan Ttl { get; }

    /// <inheritdoc/>
    public override int Count => _buffer.Count;

    /// <summary>Puts rejected as duplicates so far.</summary>
    public long DuplicateCount => Interlocked.Read(ref _duplicates);

    /// <summary>Puts <paramref name="item"/> at the end unless its key was seen within the TTL, waiting for room.</summary>
    /// <param name="item">The item.</param>
    /// <param name="cancellationToken">Cancels the wait for room.</param>
    /// <returns><see cref="DedupeResult.Accepted"/> or <see cref="DedupeResult.Duplicate"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="item"/> is null, or the key function returned null.</exception>
    /// <exception cref="QueueStoppedException">The queue has been stopped.</exception>
    /// <exception cref="OperationCanceledException">The token was cancelled while waiting for room.</exception>
    public ValueTask<DedupeResult> PutAsync(T item, CancellationToken cancellationToken = default)
    {
        if (!TryRecord(item, out var key, out var expiresAt))
        {
            return new ValueTask<DedupeResult>(DedupeResult.Duplicate);
        }

        ValueTask pending;
        try
        {
            pending = _buffer.AddAsync(item, cancellationToken);
        }
        catch
        {
            Forget(key, expiresAt);
            throw;
        }

        if (pending.IsCompletedSuccessfully)
        {
            pending.GetAwaiter().GetResult();
            return new ValueTask<DedupeResult>(DedupeResult.Accepted);
        }

        return AwaitAddAsync(pending, key, expiresAt);
    }

    /// <summary>Puts <paramref name="item"/> at the end unless its key was seen within the TTL or the queue is full.</summary>
    /// <param name="item">The item.</param>
    /// <returns>Accepted, Duplicate or Full.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="item"/> is null, or the key function returned null.</exception>
    /// <exception cref="QueueStoppedException">The queue has been stopped.</exception>
    public DedupeResult TryPut(T item)
    {
        if (!TryRecord(item, out var key, out var expiresAt))
        {
            return DedupeResult.Duplicate;
        }

        bool added;
        try
        {
            added = _buffer.TryAdd(item);
        }
        catch
        {
            Forget(key, expiresAt);
            throw;
        }

        if (!added)
        {
            Forget(key, expiresAt);
            return DedupeResult.Full;
        }

        return DedupeResult.Accepted;
    }

    private async ValueTask<DedupeResult> AwaitAddAsync(ValueTask pending, string key, long expiresAt)
    {
        try
        {
            await pending.ConfigureAwait(false);
        }
        catch
        {
            Forget(key, expiresAt);
            throw;
        }

        return DedupeResult.Accepted;
    }

    private bool TryRecord(T item, out string key, out long expiresAt)
    {
        if (item is null)
        {
            throw new ArgumentNullException(nameof(item));
        }

        key = _keyFn(item) ?? throw new ArgumentNullException(nameof(item), "The dedupe key function returned null for this item.");
        var now = TimeProvider.GetUtcNow().UtcTicks;
        lock (_seen)
        {
            // Forget keys whose TTL has passed (the queue holds them in expiry order: the TTL is fixed).
            while (_expiries.TryPeek(out var oldest) && oldest.ExpiresAt <= now)
            {
                _expiries.Dequeue();
                if (_seen.TryGetValue(oldest.Key, out var recorded) && recorded == oldest.ExpiresAt)
                {
                    _seen.Remove(oldest.Key);
                }
            }

            if (_seen.ContainsKey(key))
            {
                expiresAt = 0;
                Interlocked.Increment(ref _duplicates);
                return false;
            }

            expiresAt = now + Ttl.Ticks;
            _seen[key] = expiresAt;
            _expiries.Enqueue((key, expiresAt));
            return true;
        }
    }

    private void Forget(string key, long expiresAt)
    {
        lock (_seen)
        {
            if (_seen.TryGetValue(key, out var recorded) && recorded == expiresAt)
            {
                _seen.Remove(key);
            }
        }
    }

    private static string DefaultKey(T item) => Convert.ToString(item, CultureInfo.InvariantCulture) ?? string.Empty;

    private protected override async Task RunWorkerAsync()
    {
        var reader = _buffer.Reader;
        while (!_buffer.HandingBack && await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (!_buffer.HandingBack && reader.TryRead(out var item))
            {
                await RunHandlerAsync(_handler, item).ConfigureAwait(false);
            }
        }
    }

    private protected override void CompleteAdding() => _buffer.CompleteAdding();

    private protected override IReadOnlyList<T> TakeAll() => _buffer.TakeAll();
}
