using System;

namespace Throttle.Semaphores;

/// <summary>
/// A lease was released after it had expired (its holder stopped renewing it, or Redis lost it): the slot had
/// already been reclaimed and may be held by someone else, so nothing was released.
/// </summary>
public class SemaphoreLeaseLostException : InvalidOperationException
{
    /// <summary>Creates the exception with a default message.</summary>
    public SemaphoreLeaseLostException()
        : base("The semaphore lease had expired before it was released; its slot had already been reclaimed.")
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/>.</summary>
    /// <param name="message">The message.</param>
    public SemaphoreLeaseLostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with <paramref name="message"/> and the exception that caused it.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public SemaphoreLeaseLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
