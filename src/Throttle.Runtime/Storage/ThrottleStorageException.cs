using System;

namespace Throttle.Storage;

/// <summary>
/// A storage operation failed because the storage could not be reached or did not answer in time (for Redis: the
/// connection is down, or the operation exceeded <see cref="Redis.RedisStorageOptions.OperationTimeout"/>).
/// The message names the endpoint; <see cref="Exception.InnerException"/> keeps the client's error.
/// </summary>
public sealed class ThrottleStorageException : Exception
{
    /// <summary>Creates an exception with a generic message.</summary>
    public ThrottleStorageException()
        : base("The storage could not be reached.")
    {
    }

    /// <summary>Creates an exception with <paramref name="message"/>.</summary>
    /// <param name="message">What failed.</param>
    public ThrottleStorageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with <paramref name="message"/> and the error that caused it.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The storage client's error.</param>
    public ThrottleStorageException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for <paramref name="endpoint"/>.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="endpoint">The storage endpoint (for Redis: host:port).</param>
    /// <param name="innerException">The storage client's error.</param>
    public ThrottleStorageException(string message, string? endpoint, Exception? innerException)
        : base(message, innerException)
    {
        Endpoint = endpoint;
    }

    /// <summary>The endpoint that failed (for Redis: host:port, comma-separated when several), when known.</summary>
    public string? Endpoint { get; }
}
