using System;
using System.Collections.Generic;

namespace Throttle.Queues;

/// <summary>A handler (or batch callback) threw: the items it was given and the exception.</summary>
/// <typeparam name="T">The item type.</typeparam>
public sealed class WorkFailedEventArgs<T> : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="items">The item, or the batch, the handler was running.</param>
    /// <param name="exception">What it threw.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public WorkFailedEventArgs(IReadOnlyList<T> items, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(exception);
        Items = items;
        Exception = exception;
    }

    /// <summary>The item (one element) or the batch that failed.</summary>
    public IReadOnlyList<T> Items { get; }

    /// <summary>The exception the handler threw.</summary>
    public Exception Exception { get; }
}
