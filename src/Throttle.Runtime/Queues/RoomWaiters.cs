using System;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Queues;

/// <summary>
/// The putters waiting for room in a full <see cref="HeapBuffer{T}"/>, oldest first (README, "Queues and workers":
/// callers waiting for room get in oldest first). Each waiter has its own completion, so one freed slot wakes exactly one waiter: the
/// buffer moves the oldest waiter's item in under its lock and then completes it (a hand-off, no race for the slot).
/// Every member but <see cref="WaitAsync"/> runs under the buffer's lock.
/// </summary>
internal sealed class RoomWaiters<T>
{
    private readonly object _lock;
    private Waiter? _head;
    private Waiter? _tail;

    /// <param name="bufferLock">The lock of the owning buffer; it guards this line too.</param>
    public RoomWaiters(object bufferLock)
    {
        _lock = bufferLock;
    }

    public bool IsEmpty => _head is null;

    /// <summary>Joins the end of the line (under the lock); await the result with <see cref="WaitAsync"/> outside it.</summary>
    public Waiter Join(T item, long key)
    {
        var waiter = new Waiter(item, key);
        if (_tail is null)
        {
            _head = waiter;
        }
        else
        {
            _tail.Next = waiter;
            waiter.Previous = _tail;
        }

        _tail = waiter;
        waiter.InLine = true;
        return waiter;
    }

    /// <summary>
    /// Waits (outside the lock) until the buffer admits the waiter, fails it, or <paramref name="cancellationToken"/>
    /// takes it out of the line. A waiter already admitted when the token fires stays admitted: its item is in the
    /// buffer, so cancelling cannot lose the slot it was handed.
    /// </summary>
    public async ValueTask WaitAsync(Waiter waiter, CancellationToken cancellationToken)
    {
        // Registered outside the lock: a token cancelled already runs the callback here, which takes the lock itself.
        using (cancellationToken.UnsafeRegister(
            static (state, token) =>
            {
                var (line, waiter) = ((RoomWaiters<T>, Waiter))state!;
                line.Cancel(waiter, token);
            },
            (this, waiter)))
        {
            await waiter.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Takes the oldest waiter out of the line, or null.</summary>
    public Waiter? TakeOldest()
    {
        var waiter = _head;
        if (waiter is not null)
        {
            Unlink(waiter);
        }

        return waiter;
    }

    /// <summary>Takes out the waiter whose item is <paramref name="item"/> (by reference) and cancels it.</summary>
    public bool TryRemove(T item, CancellationToken token)
    {
        for (var waiter = _head; waiter is not null; waiter = waiter.Next)
        {
            if (ReferenceEquals(waiter.Item, item))
            {
                Unlink(waiter);
                waiter.TrySetCanceled(token);
                return true;
            }
        }

        return false;
    }

    /// <summary>Fails every waiter: the buffer no longer accepts items.</summary>
    public void FailAll()
    {
        while (TakeOldest() is { } waiter)
        {
            waiter.TrySetException(new QueueStoppedException());
        }
    }

    private void Cancel(Waiter waiter, CancellationToken token)
    {
        lock (_lock)
        {
            if (!waiter.InLine)
            {
                // Admitted or failed first: the outcome stands.
                return;
            }

            Unlink(waiter);
        }

        waiter.TrySetCanceled(token);
    }

    private void Unlink(Waiter waiter)
    {
        if (waiter.Previous is null)
        {
            _head = waiter.Next;
        }
        else
        {
            waiter.Previous.Next = waiter.Next;
        }

        if (waiter.Next is null)
        {
            _tail = waiter.Previous;
        }
        else
        {
            waiter.Next.Previous = waiter.Previous;
        }

        waiter.Next = null;
        waiter.Previous = null;
        waiter.InLine = false;
    }

    /// <summary>One putter in the line: its item, and the completion the buffer sets when it admits or fails it.</summary>
    internal sealed class Waiter(T item, long key) : TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public T Item { get; } = item;

        public long Key { get; } = key;

        public Waiter? Next { get; set; }

        public Waiter? Previous { get; set; }

        public bool InLine { get; set; }
    }
}
