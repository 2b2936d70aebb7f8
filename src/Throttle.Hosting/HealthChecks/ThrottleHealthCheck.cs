using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Polly.CircuitBreaker;
using Throttle.Storage;

namespace Throttle.Hosting.HealthChecks;

/// <summary>
/// The health of the host's <see cref="ThrottleRuntime"/>: the registration's failure status (Unhealthy by default)
/// when its Redis does not answer a PING within the storage's operation timeout, naming the endpoint; Degraded when a
/// circuit breaker is not closed or a queue's backlog is over <see cref="ThrottleHealthCheckOptions.QueueBacklogThreshold"/>,
/// naming them; else Healthy. The data holds <c>storage</c>, <c>endpoint</c>, <c>circuitBreakersNotClosed</c> and
/// <c>queueBacklog</c> (queues over the threshold, with their counts).
/// </summary>
internal sealed class ThrottleHealthCheck(ThrottleRuntime runtime, ThrottleHealthCheckOptions options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var data = new Dictionary<string, object>(StringComparer.Ordinal);
        if (runtime.Redis is { } redis)
        {
            data["storage"] = "redis";
            data["endpoint"] = redis.Endpoint;
            try
            {
                await redis.PingAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ThrottleStorageException e)
            {
                return new HealthCheckResult(
                    context.Registration.FailureStatus,
                    $"Redis at {redis.Endpoint} did not answer within {redis.Options.OperationTimeout.TotalSeconds:0.###} s; limiters follow FailureMode {redis.Options.FailureMode}.",
                    e,
                    data);
            }
        }
        else
        {
            data["storage"] = "memory";
        }

        var problems = new List<string>();
        if (options.ReportOpenCircuitBreakers)
        {
            var notClosed = runtime.CircuitBreakers
                .Where(static b => b.State != CircuitState.Closed)
                .OrderBy(static b => b.Name, StringComparer.Ordinal)
                .Select(static b => $"{b.Name} ({b.State})")
                .ToArray();
            if (notClosed.Length > 0)
            {
                data["circuitBreakersNotClosed"] = notClosed;
                problems.Add($"circuit breakers not closed: {string.Join(", ", notClosed)}");
            }
        }

        var backlog = runtime.Queues
            .Select(static q => (q.Key, q.Value.Count))
            .Where(q => q.Count > options.QueueBacklogThreshold)
            .OrderBy(static q => q.Key, StringComparer.Ordinal)
            .ToArray();
        if (backlog.Length > 0)
        {
            data["queueBacklog"] = backlog.ToDictionary(static q => q.Key, static q => q.Count, StringComparer.Ordinal);
            problems.Add($"queues with more than {options.QueueBacklogThreshold} calls waiting: {string.Join(", ", backlog.Select(static q => $"{q.Key} ({q.Count})"))}");
        }

        return problems.Count == 0
            ? HealthCheckResult.Healthy("Throttle is healthy.", data)
            : HealthCheckResult.Degraded(string.Join("; ", problems) + ".", data: data);
    }
}
