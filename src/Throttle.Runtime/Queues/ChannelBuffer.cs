using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;

namespace Throttle.Queues;

/// <summary>
/// The store of the FIFO queues: a bounded <see cref="Channel{T}"/> (waiting writers are its back-pressure), plus a
/// hand-back flag that tells workers to stop taking. Consumers of a pull queue take from it directly: a take removes
/// an item only when it returns it, so a cancelled take leaves every item in place.
/// </summary>
internal sealed class ChannelBuffer<T>
{
    private readonly Channel<T> _channel;
    private volatile bool _closed;
    private volatile bool _handingBack;

    public ChannelBuffer(int maxSize)
    {
        _channel = Channel.CreateBounded<T>(new BoundedChannelOptions(maxSize)
        {
            FullMode = BoundedChannelFullMode.Wait,
            // Not single-reader even with one worker: a hand-back drains the channel from the stopping thread.
            SingleReader = false,
            SingleWriter = false,
        });
    }

    public ChannelReader<T> Reader => _channel.Reader;

    public int Count => _channel.Reader.Count;

    /// <summary>True once <see cref="TakeAll"/> ran: workers must not take another item.</summary>
    public bool HandingBack => _handingBack;

    /// <exception cref="QueueStoppedException">The buffer no longer accepts items.</exception>
    public bool TryAdd(T item)
    {
        if (_channel.Writer.TryWrite(item))
        {
            return true;
        }

        if (_closed)
        {
            throw new QueueStoppedException();
        }

        return false;
    }

    /// <exception cref="QueueStoppedException">The buffer no longer accepts items.</exception>
    public ValueTask AddAsync(T item, CancellationToken cancellationToken)
    {
        if (_channel.Writer.TryWrite(item))
        {
            return default;
        }

        return AddSlowAsync(item, cancellationToken);
    }

    private async ValueTask AddSlowAsync(T item, CancellationToken cancellationToken)
    {
        try
        {
            await _channel.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException ex)
        {
            throw new QueueStoppedException("The queue has been stopped and accepts no more items; create a new queue to continue.", ex);
        }
    }

    /// <summary>Completes when the buffer accepts no more items and holds none (a drain is over).</summary>
    public Task Drained => _channel.Reader.Completion;

    /// <summary>Takes an item if one is waiting. False with <paramref name="stopped"/>: the buffer is closed and empty.</summary>
    public bool TryTake(out T item, out bool stopped)
    {
        if (!_handingBack && _channel.Reader.TryRead(out item!))
        {
            stopped = false;
            return true;
        }

        item = default!;
        stopped = _handingBack || _channel.Reader.Completion.IsCompleted;
        return false;
    }

    /// <summary>Waits for an item; Ok is false once the buffer is closed and empty. Cancelling removes nothing.</summary>
    public ValueTask<(bool Ok, T Item)> TakeAsync(CancellationToken cancellationToken)
    {
        if (TryTake(out var item, out var stopped))
        {
            return new ValueTask<(bool Ok, T Item)>((true, item));
        }

        return stopped ? new ValueTask<(bool Ok, T Item)>((false, default!)) : TakeSlowAsync(cancellationToken);
    }

    private async ValueTask<(bool Ok, T Item)> TakeSlowAsync(CancellationToken cancellationToken)
    {
        var reader = _channel.Reader;
        while (!_handingBack && await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            // Another consumer may win the item WaitToReadAsync saw: then wait again.
            if (!_handingBack && reader.TryRead(out var item))
            {
                return (true, item);
            }
        }

        return (false, default!);
    }

    public void CompleteAdding()
    {
        _closed = true;
        _channel.Writer.TryComplete();
    }

    public List<T> TakeAll()
    {
        _handingBack = true;
        CompleteAdding();
        var items = new List<T>();
        while (_channel.Reader.TryRead(out var item))
        {
            items.Add(item);
        }

        return items;
    }
}
