using System;
using System.Collections.Generic;
using System.Diagnostics.CodeAnalysis;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Queues;

/// <summary>
/// A first-in, first-out work queue that rejects an item whose key was accepted within the last <see cref="Ttl"/>
/// (README.md, "Queues and workers"): a put computes the key, rejects it as <see cref="DedupeResult.Duplicate"/> if the
/// key is in the seen set, else queues the item and records the key, which is forgotten <see cref="Ttl"/> later.
/// A put that does not end up queued (full, cancelled, stopped) does not record its key. Created with a handler it is
/// a push queue; without one, a pull queue whose consumers take items in put order (<see cref="WorkQueue{T}.TakeAsync"/>).
/// </summary>
/// <remarks>
/// What a key is: the string <c>keyFn</c> returns (compared ordinally), or, without a key function, the item itself,
/// compared by <c>comparer</c> or by <see cref="EqualityComparer{T}.Default"/> when <typeparamref name="T"/> has value
/// equality (a value type such as a primitive or an enum, a string, a record, any type that implements
/// <see cref="IEquatable{T}"/> or overrides <see cref="object.Equals(object)"/>). A type with reference equality only (or
/// an interface, or <see cref="object"/>) is refused at construction: distinct instances would never be duplicates.
/// Without a key function the seen set holds the items themselves for the TTL.
/// </remarks>
/// <typeparam name="T">The item type.</typeparam>
[SuppressMessage("Naming", "CA1711:Identifiers should not have incorrect suffix", Justification = "A work queue is a queue: the name says what it is.")]
public sealed class DedupeWorkQueue<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] T> : WorkQueue<T>
{
    /// <summary>The default TTL of a seen key: 300 seconds.</summary>
    public static readonly TimeSpan DefaultTtl = TimeSpan.FromSeconds(300);

    private readonly ChannelBuffer<T> _buffer;
    private readonly Func<T, CancellationToken, ValueTask>? _handler;
    private readonly Func<T, string>? _keyFn;
    private readonly Dictionary<SeenKey, long> _seen;
    private readonly Queue<(SeenKey Key, long ExpiresAt)> _expiries = new();
    private long _duplicates;

    /// <summary>Creates a push queue, stopped; call <see cref="WorkQueue{T}.StartAsync"/> to start its workers.</summary>
    /// <param name="handler">Runs one item; receives a token cancelled when a stop gives up draining.</param>
    /// <param name="workers">Workers running items concurrently (at least 1).</param>
    /// <param name="maxSize">The most items waiting at once (at least 1).</param>
    /// <param name="ttl">How long a key stays seen after its item was accepted (positive, finite); default 300 s.</param>
    /// <param name="keyFn">The deduplication key of an item (compared ordinally); default: the item itself (see the remarks).</param>
    /// <param name="timeProvider">The clock of the TTL; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="comparer">Compares items when there is no <paramref name="keyFn"/>; default <see cref="EqualityComparer{T}.Default"/> when <typeparamref name="T"/> has value equality.</param>
    /// <exception cref="ArgumentNullException"><paramref name="handler"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A size is less than 1, or <paramref name="ttl"/> is not positive and finite.</exception>
    /// <exception cref="ArgumentException">
    /// Neither <paramref name="keyFn"/> nor <paramref name="comparer"/> is given and <typeparamref name="T"/> has reference
    /// equality only; or both are given.
    /// </exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "A handler makes a push queue and its absence a pull queue: the first parameter tells the constructors apart, so no call is ambiguous.")]
    public DedupeWorkQueue(
        Func<T, CancellationToken, ValueTask> handler,
        int workers = 1,
        int maxSize = DefaultMaxSize,
        TimeSpan? ttl = null,
        Func<T, string>? keyFn = null,
        TimeProvider? timeProvider = null,
        IEqualityComparer<T>? comparer = null)
        : base(workers, maxSize, timeProvider)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Ttl = ttl is { } value ? QueueGuard.Positive(value, nameof(ttl)) : DefaultTtl;
        _handler = handler;
        _keyFn = keyFn;
        _seen = new Dictionary<SeenKey, long>(new SeenKeyComparer(ItemComparer(keyFn, comparer)));
        _buffer = new ChannelBuffer<T>(maxSize);
    }

    /// <summary>Creates a pull queue: consumers take its items in put order (<see cref="WorkQueue{T}.TakeAsync"/>); it has no workers.</summary>
    /// <param name="maxSize">The most items waiting at once (at least 1).</param>
    /// <param name="ttl">How long a key stays seen after its item was accepted (positive, finite); default 300 s.</param>
    /// <param name="keyFn">The deduplication key of an item (compared ordinally); default: the item itself (see the remarks).</param>
    /// <param name="timeProvider">The clock of the TTL; default <see cref="TimeProvider.System"/>.</param>
    /// <param name="comparer">Compares items when there is no <paramref name="keyFn"/>; default <see cref="EqualityComparer{T}.Default"/> when <typeparamref name="T"/> has value equality.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is less than 1, or <paramref name="ttl"/> is not positive and finite.</exception>
    /// <exception cref="ArgumentException">
    /// Neither <paramref name="keyFn"/> nor <paramref name="comparer"/> is given and <typeparamref name="T"/> has reference
    /// equality only; or both are given.
    /// </exception>
    [SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "A handler makes a push queue and its absence a pull queue: the first parameter tells the constructors apart, so no call is ambiguous.")]
    public DedupeWorkQueue(
        int maxSize = DefaultMaxSize,
        TimeSpan? ttl = null,
        Func<T, string>? keyFn = null,
        TimeProvider? timeProvider = null,
        IEqualityComparer<T>? comparer = null)
        : base(maxSize, timeProvider)
    {
        Ttl = ttl is { } value ? QueueGuard.Positive(value, nameof(ttl)) : DefaultTtl;
        _keyFn = keyFn;
        _seen = new Dictionary<SeenKey, long>(new SeenKeyComparer(ItemComparer(keyFn, comparer)));
        _buffer = new ChannelBuffer<T>(maxSize);
    }

    /// <summary>How long a key stays seen after its item was accepted.</summary>
    public TimeSpan Ttl { get; }

    /// <inheritdoc/>
    public override int Count => _buffer.Count;

    /// <inheritdoc/>
    private protected override Task Drained => _buffer.Drained;

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

    private async ValueTask<DedupeResult> AwaitAddAsync(ValueTask pending, SeenKey key, long expiresAt)
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

    private bool TryRecord(T item, out SeenKey key, out long expiresAt)
    {
        if (item is null)
        {
            throw new ArgumentNullException(nameof(item));
        }

        // With a key function only its string is kept (not the item); without one the item is the key.
        key = _keyFn is null
            ? new SeenKey(item, null)
            : new SeenKey(default, _keyFn(item) ?? throw new ArgumentNullException(nameof(item), "The dedupe key function returned null for this item."));
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

    private void Forget(SeenKey key, long expiresAt)
    {
        lock (_seen)
        {
            if (_seen.TryGetValue(key, out var recorded) && recorded == expiresAt)
            {
                _seen.Remove(key);
            }
        }
    }

    /// <summary>The comparer of items as keys (null: keys are <paramref name="keyFn"/>'s strings); refuses a type that cannot tell distinct items apart.</summary>
    private static IEqualityComparer<T>? ItemComparer(Func<T, string>? keyFn, IEqualityComparer<T>? comparer)
    {
        if (keyFn is not null)
        {
            return comparer is null
                ? null
                : throw new ArgumentException("Give keyFn or comparer, not both: with keyFn the key is its string, and the comparer would be ignored.", nameof(comparer));
        }

        if (comparer is not null)
        {
            return comparer;
        }

        if (!ValueEquality<T>.Defined)
        {
            throw new ArgumentException(
                $"{typeof(T)} has reference equality only (it neither overrides Equals nor implements IEquatable<T>), so a dedupe queue cannot compare its items by value. " +
                "Pass keyFn (the item's deduplication key, e.g. item => item.Id) or comparer (an IEqualityComparer<T>; EqualityComparer<T>.Default if the items' own types define equality).",
                nameof(keyFn));
        }

        return EqualityComparer<T>.Default;
    }

    private protected override bool TryTakeCore(out T item, out bool stopped) => _buffer.TryTake(out item, out stopped);

    private protected override ValueTask<(bool Ok, T Item)> TakeCoreAsync(CancellationToken cancellationToken) => _buffer.TakeAsync(cancellationToken);

    private protected override async Task RunWorkerAsync()
    {
        var reader = _buffer.Reader;
        while (!_buffer.HandingBack && await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (!_buffer.HandingBack && reader.TryRead(out var item))
            {
                await RunHandlerAsync(_handler!, item).ConfigureAwait(false);
            }
        }
    }

    private protected override void CompleteAdding() => _buffer.CompleteAdding();

    private protected override IReadOnlyList<T> TakeAll() => _buffer.TakeAll();

    /// <summary>A seen key: the key function's string, or (without one) the item itself.</summary>
    private readonly struct SeenKey(T? item, string? key)
    {
        public T? Item { get; } = item;

        public string? Key { get; } = key;
    }

    /// <summary>Compares seen keys: ordinally by string, or by the item comparer.</summary>
    private sealed class SeenKeyComparer(IEqualityComparer<T>? items) : IEqualityComparer<SeenKey>
    {
        public bool Equals(SeenKey x, SeenKey y) =>
            items is null ? string.Equals(x.Key, y.Key, StringComparison.Ordinal) : items.Equals(x.Item!, y.Item!);

        public int GetHashCode(SeenKey obj) =>
            items is null ? StringComparer.Ordinal.GetHashCode(obj.Key!) : items.GetHashCode(obj.Item!);
    }
}
