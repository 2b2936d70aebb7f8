using System;

namespace Throttle.Semaphores;

/// <summary>A semaphore slot was not free within the acquire timeout.</summary>
public class SemaphoreTimeoutException : TimeoutException
{
    /// <summary>Creates the exception with a default message.</summary>
    public SemaphoreTimeoutException()
        : base("No semaphore slot became free within the acquire timeout.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">The message.</param>
    public SemaphoreTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SemaphoreTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception for the semaphore <paramref name="key"/> and the timeout that ran out.</summary>
    /// <param name="key">The semaphore's key.</param>
    /// <param name="timeout">The acquire timeout.</param>
    public SemaphoreTimeoutException(string key, TimeSpan timeout)
        : base($"No slot of semaphore '{key}' became free within {timeout.TotalSeconds:0.###} s.")
    {
        Key = key;
        Timeout = timeout;
    }

    /// <summary>The semaphore's key, when known.</summary>
    public string? Key { get; }

    /// <summary>The acquire timeout that ran out.</summary>
    public TimeSpan Timeout { get; }
}
