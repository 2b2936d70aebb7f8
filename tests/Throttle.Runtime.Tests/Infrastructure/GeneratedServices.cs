using System;
using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Tests.Infrastructure;

// Classes the Throttle generator completes in this very assembly (see the Analyzer reference in the project file), so the
// tests below call generated code exactly as an application does.

/// <summary>A DI-style service: its runtime comes in through a primary-constructor parameter.</summary>
public sealed partial class TenantService(ThrottleRuntime runtime)
{
    private int _calls;

    public ThrottleRuntime Runtime => runtime;

    [RateLimit(2, Per = 60, MaxWaitSeconds = 0)]
    public partial Task<int> LimitedAsync();

    [CircuitBreaker(FailureThreshold = 2, BreakSeconds = 60)]
    public partial Task CallAsync(bool fail);

    [Queued(Workers = 1)]
    public partial Task<int> QueuedAsync(Func<Task<int>> work);

    [RateLimit(Limiter = "tenant-api")]
    public partial int Named();

    private Task<int> LimitedCoreAsync() => Task.FromResult(Interlocked.Increment(ref _calls));

    private static Task CallCoreAsync(bool fail) => fail ? Task.FromException(new InvalidOperationException("down")) : Task.CompletedTask;

    private static Task<int> QueuedCoreAsync(Func<Task<int>> work) => work();

    private static int NamedCore() => 1;
}

/// <summary>A runtime in a non-nullable field: a null there is a construction bug, and the call says so.</summary>
public sealed partial class FieldService
{
    private readonly ThrottleRuntime _runtime;

    public FieldService(ThrottleRuntime runtime) => _runtime = runtime;

    [RateLimit(1, Per = 60, MaxWaitSeconds = 0)]
    public partial int Once();

    private static int OnceCore() => 1;
}

/// <summary>A runtime in a nullable property: null means <see cref="ThrottleRuntime.Current"/>.</summary>
public sealed partial class OptionalService
{
    public ThrottleRuntime? Runtime { get; init; }

    [RateLimit(1, Per = 60, MaxWaitSeconds = 0)]
    public partial ValueTask<int> OnceAsync();

    private static ValueTask<int> OnceCoreAsync() => new(1);
}

/// <summary>A type without a runtime member: today's behaviour, <see cref="ThrottleRuntime.Current"/>.</summary>
public sealed partial class PlainService
{
    [RateLimit(1, Per = 60, MaxWaitSeconds = 0)]
    public partial int Once();

    private static int OnceCore() => 1;
}
