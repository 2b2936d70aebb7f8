using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Options;
using Throttle.Infrastructure;
using Throttle.Policies;

namespace Throttle.Hosting.Configuration;

/// <summary>
/// Checks <see cref="ThrottleHostOptions"/> when the host starts (<c>ValidateOnStart</c>), so a bad setting stops
/// start-up rather than the first call that uses it. Each failure names where the setting came from (a configuration
/// path such as <c>Throttle:Limiters:api:Rate</c>, or the builder call) and the reason, which is the option type's own
/// (<c>Validate()</c>); a name a generated method uses but nobody registered names the method.
/// </summary>
internal sealed class ThrottleHostOptionsValidator : IValidateOptions<ThrottleHostOptions>
{
    public ValidateOptionsResult Validate(string? name, ThrottleHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>(options.Problems);
        foreach (var limiter in options.LimiterRegistrations.Where(static r => r.Readable))
        {
            Add(failures, limiter.Source, ThrottleRuntime.ValidateRegisteredLimiter(limiter.Value));
        }

        foreach (var breaker in options.CircuitBreakerRegistrations.Where(static r => r.Readable))
        {
            Add(failures, breaker.Source, ThrottleRuntime.ValidateRegisteredCircuitBreaker(breaker.Name, breaker.Value));
        }

        foreach (var queue in options.QueueRegistrations.Where(static r => r.Readable))
        {
            Add(failures, queue.Source, queue.Value.Validate());
            if (queue.Value.Queue is not null)
            {
                failures.Add($"{queue.Source}: Queue names the registered queue a [Queued] method uses; a registered queue cannot refer to another, so leave it unset.");
            }
        }

        foreach (var semaphore in options.SemaphoreRegistrations.Where(static r => r.Readable))
        {
            Add(failures, semaphore.Source, ThrottleRuntime.ValidateRegisteredSemaphore(semaphore.Value));
        }

        ValidateRedis(failures, options);
        ValidateSiteReferences(failures, options);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Add(List<string> failures, string source, IReadOnlyList<OptionProblem> problems)
    {
        foreach (var problem in problems)
        {
            // A configuration path gets the option's key (Throttle:Limiters:api:Rate); a builder call is named as is.
            failures.Add(source.EndsWith(')')
                ? $"{source}: {problem.Message}."
                : $"{source}:{problem.Option}: {problem.Message}.");
        }
    }

    private static void ValidateRedis(List<string> failures, ThrottleHostOptions options)
    {
        if (options.RedisConnectionString is not { } connectionString)
        {
            return;
        }

        if (options.RedisConnection is not null)
        {
            failures.Add($"{options.RedisSource}: Redis is given twice, as a connection (UseRedis) and as a connection string; keep one.");
            return;
        }

        try
        {
            // Parsed the way the runtime will parse it; nothing connects here.
            _ = new ThrottleRuntimeOptions().ConnectRedis(connectionString);
        }
        catch (ArgumentException e)
        {
            failures.Add($"{options.RedisSource}: {e.Message.Split(" (Parameter", 2)[0]}");
        }
    }

    private static void ValidateSiteReferences(List<string> failures, ThrottleHostOptions options)
    {
        foreach (var (method, kind, name) in options.SiteReferences())
        {
            switch (kind)
            {
                case SiteResourceKind.Limiter when !options.HasLimiter(name):
                    failures.Add($"{method} uses the limiter '{name}' ([RateLimit(Limiter = \"{name}\")]), which is not registered: add it to configuration (Throttle:Limiters:{name}) or call AddLimiter(\"{name}\", ...).");
                    break;
                case SiteResourceKind.Queue when !options.HasQueue(name):
                    failures.Add($"{method} uses the queue '{name}' ([Queued(Queue = \"{name}\")]), which is not registered: add it to configuration (Throttle:Queues:{name}) or call AddQueue(\"{name}\", ...).");
                    break;
                case SiteResourceKind.Storage when !options.HasStorage(name):
                    failures.Add($"{method} uses the storage '{name}' ([RateLimit(Storage = \"{name}\")]), which is not registered: call AddStorage(\"{name}\", ...).");
                    break;
                case SiteResourceKind.Semaphore when !options.HasSemaphore(name):
                    failures.Add($"{method} uses the semaphore '{name}' ([DistributedSemaphore(Semaphore = \"{name}\")]), which is not registered: add it to configuration (Throttle:Semaphores:{name}) or call AddSemaphore(\"{name}\", ...).");
                    break;
                default:
                    // A circuit breaker shared by name is created on first use: registering it is optional.
                    break;
            }
        }
    }
}
