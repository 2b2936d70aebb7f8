using System;

namespace Throttle.Testing.Redis;

/// <summary>Thrown when a test needs Redis and none can be had; the message says what was tried and how to fix it.</summary>
public sealed class RedisUnavailableException : Exception
{
    /// <summary>Creates the exception with an empty reason.</summary>
    public RedisUnavailableException()
        : this(RedisAvailability.UnavailableMessage)
    {
    }

    /// <summary>Creates the exception with the given reason.</summary>
    /// <param name="message">What was tried and how to make Redis available.</param>
    public RedisUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with the given reason and cause.</summary>
    /// <param name="message">What was tried and how to make Redis available.</param>
    /// <param name="innerException">The failure that made Redis unavailable.</param>
    public RedisUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
