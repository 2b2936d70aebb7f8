namespace Throttle.Storage;

/// <summary>What a limiter does when its storage cannot be reached or does not answer in time.</summary>
public enum StorageFailureMode
{
    /// <summary>The limiter operation throws <see cref="ThrottleStorageException"/>. The default.</summary>
    Throw,

    /// <summary>The limiter admits the request (availability over strictness); releases are dropped.</summary>
    FailOpen,

    /// <summary>The limiter rejects the request with a retry delay (strictness over availability); releases are dropped.</summary>
    FailClosed,
}
