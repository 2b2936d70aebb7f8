namespace Throttle.Telemetry;

/// <summary>
/// The names of Throttle's meter, instruments and tags, in one place (docs/metrics.md lists them with units and
/// meanings). Named by OpenTelemetry's conventions: lower-case, dot-separated namespaces, snake_case words, units in
/// UCUM (<c>s</c>, <c>{request}</c>). No tag ever carries a partition key: their number is unbounded.
/// </summary>
internal static class TelemetryNames
{
    public const string Meter = "Throttle";

    // Rate limits.
    public const string RateLimitRequests = "throttle.rate_limit.requests";
    public const string RateLimitWaitDuration = "throttle.rate_limit.wait.duration";
    public const string RateLimitTokens = "throttle.rate_limit.tokens";

    // Queues and worker pools.
    public const string QueueLength = "throttle.queue.length";
    public const string QueueWaitDuration = "throttle.queue.wait.duration";
    public const string QueueRunDuration = "throttle.queue.run.duration";
    public const string QueueCalls = "throttle.queue.calls";
    public const string WorkQueueLength = "throttle.work_queue.length";
    public const string WorkQueueItems = "throttle.work_queue.items";
    public const string WorkQueueDuplicates = "throttle.work_queue.duplicates";
    public const string WorkerPoolWorkers = "throttle.worker_pool.workers";
    public const string WorkerPoolQueueLength = "throttle.worker_pool.queue_length";
    public const string WorkerPoolScalings = "throttle.worker_pool.scalings";

    // Semaphores.
    public const string SemaphoreLeases = "throttle.semaphore.leases";
    public const string SemaphoreAcquireDuration = "throttle.semaphore.acquire.duration";
    public const string SemaphoreTimeouts = "throttle.semaphore.timeouts";
    public const string SemaphoreLeasesLost = "throttle.semaphore.leases_lost";
    public const string SemaphoreWaiters = "throttle.semaphore.waiters";

    // Circuit breakers and retries.
    public const string CircuitBreakerTransitions = "throttle.circuit_breaker.transitions";
    public const string CircuitBreakerRejectedCalls = "throttle.circuit_breaker.rejected_calls";
    public const string CircuitBreakerRedisFallbacks = "throttle.circuit_breaker.redis_fallbacks";
    public const string RetryAttempts = "throttle.retry.attempts";

    // Redis.
    public const string RedisOperationDuration = "throttle.redis.operation.duration";
    public const string RedisFailures = "throttle.redis.failures";
    public const string RedisFailurePolicyDecisions = "throttle.redis.failure_policy.decisions";

    // Tags.
    public const string LimiterTag = "throttle.rate_limit.limiter";
    public const string RateLimitResultTag = "throttle.rate_limit.result";
    public const string QueueTag = "throttle.queue.name";
    public const string QueueResultTag = "throttle.queue.result";
    public const string WorkerPoolTag = "throttle.worker_pool.name";
    public const string ScalingDirectionTag = "throttle.worker_pool.direction";
    public const string SemaphoreTag = "throttle.semaphore.name";
    public const string SemaphoreResultTag = "throttle.semaphore.result";
    public const string CircuitBreakerTag = "throttle.circuit_breaker.name";
    public const string CircuitBreakerStateTag = "throttle.circuit_breaker.state";
    public const string RetryTag = "throttle.retry.name";
    public const string FailureModeTag = "throttle.redis.failure_mode";
    public const string ErrorTypeTag = "error.type";

    // Tag values.
    public const string Acquired = "acquired";
    public const string Rejected = "rejected";
    public const string Canceled = "canceled";
    public const string Timeout = "timeout";
    public const string Processed = "processed";
    public const string Failed = "failed";
    public const string Up = "up";
    public const string Down = "down";
    public const string FailOpen = "fail_open";
    public const string FailClosed = "fail_closed";
}
