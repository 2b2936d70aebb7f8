using System.Linq;
using System.Runtime.CompilerServices;
using Xunit;

namespace Throttle.Generator.Tests.Emitting;

/// <summary>Golden files of the emitted code for every supported method shape; each one must compile without warnings.</summary>
public sealed class SnapshotTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Throttle;

        """;

    [Fact]
    public void TaskReturning() => Verify("""
        namespace Sample;

        public partial class Mailer
        {
            [RateLimit(5, Per = 2, Burst = 10)]
            public partial Task SendAsync(string message);

            private Task SendCoreAsync(string message) => Task.CompletedTask;
        }
        """);

    [Fact]
    public void TaskOfTReturningWithCancellationToken() => Verify("""
        namespace Sample;

        public sealed partial class GitHubClient
        {
            [RateLimit(10)]
            public partial Task<string> FetchAsync(string url, CancellationToken cancellationToken);

            private Task<string> FetchCoreAsync(string url, CancellationToken cancellationToken) => Task.FromResult(url);
        }
        """);

    [Fact]
    public void ValueTaskReturning() => Verify("""
        namespace Sample;

        public sealed partial class Pinger
        {
            [RateLimit(3, Per = 0.5)]
            public partial ValueTask PingAsync(CancellationToken token);

            private ValueTask PingCoreAsync(CancellationToken token) => default;
        }
        """);

    [Fact]
    public void ValueTaskOfTReturning() => Verify("""
        namespace Sample;

        public sealed partial class Cache
        {
            [RateLimit(100, Burst = 1000)]
            public partial ValueTask<int?> LookupAsync(string? name);

            private ValueTask<int?> LookupCoreAsync(string? name) => new(name?.Length);
        }
        """);

    [Fact]
    public void VoidSync() => Verify("""
        namespace Sample;

        public sealed partial class Logger
        {
            [RateLimit(1)]
            public partial void Log(string message);

            private void LogCore(string message) => Console.WriteLine(message);
        }
        """);

    [Fact]
    public void SyncValueWithCancellationToken() => Verify("""
        namespace Sample;

        public sealed partial class Calculator
        {
            [RateLimit(2, Per = 60)]
            public partial IReadOnlyList<int> Compute(int count, CancellationToken cancellationToken);

            private IReadOnlyList<int> ComputeCore(int count, CancellationToken cancellationToken) => new int[count];
        }
        """);

    [Fact]
    public void StaticMethod() => Verify("""
        namespace Sample;

        public static partial class Api
        {
            [RateLimit(4)]
            public static partial Task<string> GetAsync(Uri uri, CancellationToken cancellationToken);

            private static Task<string> GetCoreAsync(Uri uri, CancellationToken cancellationToken) => Task.FromResult(uri.ToString());
        }
        """);

    [Fact]
    public void InstanceMethodWithStaticImplementation() => Verify("""
        namespace Sample;

        public sealed partial class Clock
        {
            [RateLimit(4)]
            public partial Task<long> NowAsync();

            private static Task<long> NowCoreAsync() => Task.FromResult(42L);
        }
        """);

    [Fact]
    public void GenericMethodWithConstraints() => Verify("""
        namespace Sample;

        public interface IEntity
        {
            string Id { get; }
        }

        public sealed partial class Store
        {
            [RateLimit(10)]
            public partial Task<TResult?> LoadAsync<TResult, TKey, TValue, TNew, TEntity, TMaybe, TRaw>(TKey key, TValue value, TEntity entity, TMaybe maybe, TRaw raw)
                where TResult : class
                where TKey : notnull
                where TValue : struct
                where TNew : new()
                where TEntity : class, IEntity, IComparable<TEntity>, new()
                where TMaybe : class?
                where TRaw : unmanaged;

            private Task<TResult?> LoadCoreAsync<TResult, TKey, TValue, TNew, TEntity, TMaybe, TRaw>(TKey key, TValue value, TEntity entity, TMaybe maybe, TRaw raw)
                where TResult : class
                where TKey : notnull
                where TValue : struct
                where TNew : new()
                where TEntity : class, IEntity, IComparable<TEntity>, new()
                where TMaybe : class?
                where TRaw : unmanaged
                => Task.FromResult<TResult?>(null);

            [RateLimit(10, Key = "item.Id")]
            public partial T Identity<T>(T item) where T : IEntity;

            private T IdentityCore<T>(T item) where T : IEntity => item;
        }
        """);

    [Fact]
    public void NestedTypes() => Verify("""
        namespace Sample.Deep.Space;

        public static partial class Outer
        {
            internal sealed partial class Middle
            {
                private partial struct Inner
                {
                    [RateLimit(7)]
                    public partial Task<int> CountAsync();

                    private Task<int> CountCoreAsync() => Task.FromResult(1);
                }
            }
        }
        """);

    [Fact]
    public void GenericContainingType() => Verify("""
        namespace Sample;

        public partial class Repository<TEntity, TId>
            where TEntity : class
            where TId : struct
        {
            [RateLimit(3)]
            public partial Task<TEntity?> FindAsync(TId id, CancellationToken cancellationToken);

            private Task<TEntity?> FindCoreAsync(TId id, CancellationToken cancellationToken) => Task.FromResult<TEntity?>(null);

            public partial class Page<TItem>
            {
                [RateLimit(3)]
                public partial ValueTask<TItem[]> NextAsync(TId after);

                private ValueTask<TItem[]> NextCoreAsync(TId after) => new(Array.Empty<TItem>());
            }
        }
        """);

    [Fact]
    public void StructContainingTypes() => Verify("""
        namespace Sample;

        public partial struct Cursor
        {
            [RateLimit(5)]
            public partial Task<int> MoveAsync(int steps);

            private Task<int> MoveCoreAsync(int steps) => Task.FromResult(steps);
        }

        public readonly partial struct Reader
        {
            [RateLimit(5)]
            public partial int Read();

            private int ReadCore() => 0;
        }

        public readonly partial record struct Point(int X, int Y)
        {
            [RateLimit(5)]
            public partial ValueTask<int> SumAsync();

            private ValueTask<int> SumCoreAsync() => new(X + Y);
        }
        """);

    [Fact]
    public void RecordContainingType() => Verify("""
        namespace Sample;

        public sealed partial record Client(string Name)
        {
            [RateLimit(5, Key = nameof(tenant))]
            public partial Task<string> GreetAsync(string tenant);

            private Task<string> GreetCoreAsync(string tenant) => Task.FromResult(Name + tenant);
        }
        """);

    [Fact]
    public void EveryAccessibility() => Verify("""
        namespace Sample;

        public partial class Service
        {
            [RateLimit(1)]
            public partial Task PublicAsync();

            [RateLimit(1)]
            internal partial Task InternalAsync();

            [RateLimit(1)]
            protected partial Task ProtectedAsync();

            [RateLimit(1)]
            private partial Task PrivateAsync();

            [RateLimit(1)]
            protected internal partial Task ProtectedInternalAsync();

            [RateLimit(1)]
            private protected partial Task PrivateProtectedAsync();

            [RateLimit(1)]
            partial void Implicit();

            private Task PublicCoreAsync() => Task.CompletedTask;
            private Task InternalCoreAsync() => Task.CompletedTask;
            private Task ProtectedCoreAsync() => Task.CompletedTask;
            private Task PrivateCoreAsync() => PrivateAsync();
            private Task ProtectedInternalCoreAsync() => Task.CompletedTask;
            private Task PrivateProtectedCoreAsync() => Task.CompletedTask;
            private void ImplicitCore() => Implicit();
        }
        """);

    [Fact]
    public void GlobalNamespace() => Verify("""
        public partial class GlobalClient
        {
            [RateLimit(2)]
            public partial Task<string> FetchAsync(string url);

            private Task<string> FetchCoreAsync(string url) => Task.FromResult(url);
        }
        """);

    [Fact]
    public void KeyParameter() => Verify("""
        namespace Sample;

        public sealed partial class Profiles
        {
            [RateLimit(10, Per = 1, Burst = 20, Key = nameof(userId))]
            public partial Task<string> GetProfileAsync(string userId, CancellationToken cancellationToken);

            [RateLimit(10, Key = nameof(accountId))]
            public partial Task<string> GetAccountAsync(Guid accountId);

            [RateLimit(10, Key = "region")]
            public partial string GetRegion(string? region);

            private Task<string> GetProfileCoreAsync(string userId, CancellationToken cancellationToken) => Task.FromResult(userId);
            private Task<string> GetAccountCoreAsync(Guid accountId) => Task.FromResult(accountId.ToString());
            private string GetRegionCore(string? region) => region ?? "";
        }
        """);

    [Fact]
    public void KeyMemberPathReferenceType() => Verify("""
        namespace Sample;

        public sealed record Tenant(string Id);
        public sealed record OrderRequest(string TenantId, Tenant Tenant, decimal Amount);

        public sealed partial class Orders
        {
            [RateLimit(20, Key = "request.TenantId")]
            public partial Task SubmitAsync(OrderRequest request, CancellationToken cancellationToken);

            [RateLimit(20, Key = "request.Tenant.Id")]
            public partial Task CancelAsync(OrderRequest request);

            private Task SubmitCoreAsync(OrderRequest request, CancellationToken cancellationToken) => Task.CompletedTask;
            private Task CancelCoreAsync(OrderRequest request) => Task.CompletedTask;
        }
        """);

    [Fact]
    public void KeyMemberPathValueType() => Verify("""
        namespace Sample;

        public sealed class Request
        {
            public int TenantId { get; init; }
        }

        public struct Envelope
        {
            public int TenantId;
            public Request Inner { get; set; }
        }

        public sealed partial class Gateway
        {
            [RateLimit(20, Key = "request.TenantId")]
            public partial Task ViaClassAsync(Request request);

            [RateLimit(20, Key = "envelope.TenantId")]
            public partial Task ViaStructAsync(Envelope envelope);

            [RateLimit(20, Key = "envelope.TenantId")]
            public partial Task ViaNullableStructAsync(Envelope? envelope);

            [RateLimit(20, Key = "envelope.Inner.TenantId")]
            public partial Task ViaStructThenClassAsync(Envelope envelope);

            private Task ViaClassCoreAsync(Request request) => Task.CompletedTask;
            private Task ViaStructCoreAsync(Envelope envelope) => Task.CompletedTask;
            private Task ViaNullableStructCoreAsync(Envelope? envelope) => Task.CompletedTask;
            private Task ViaStructThenClassCoreAsync(Envelope envelope) => Task.CompletedTask;
        }
        """);

    [Fact]
    public void NamedLimiter() => Verify("""
        namespace Sample;

        public sealed partial class Search
        {
            [RateLimit(Limiter = "github", Key = nameof(user), MaxWaitSeconds = 0.25)]
            public partial Task<string> SearchAsync(string user, string query);

            [RateLimit(Limiter = "github")]
            public partial Task<string> RateAsync();

            private Task<string> SearchCoreAsync(string user, string query) => Task.FromResult(query);
            private Task<string> RateCoreAsync() => Task.FromResult("");
        }
        """);

    [Fact]
    public void MaxWaitSecondsAndScope() => Verify("""
        namespace Sample;

        public sealed partial class Quotes
        {
            [RateLimit(10, MaxWaitSeconds = 0)]
            public partial Task<decimal> RejectAtOnceAsync(string symbol);

            [RateLimit(10, MaxWaitSeconds = 2.5, Scope = "quotes \"shared\"", Strategy = RateLimitStrategy.TokenBucket)]
            public partial decimal WaitBriefly(string symbol);

            private Task<decimal> RejectAtOnceCoreAsync(string symbol) => Task.FromResult(1m);
            private decimal WaitBrieflyCore(string symbol) => 1m;
        }
        """);

    [Fact]
    public void ParamsAndInParameters() => Verify("""
        namespace Sample;

        public readonly struct Big
        {
            public long A { get; init; }
        }

        public sealed partial class Math2
        {
            [RateLimit(10)]
            public partial Task<long> SumAsync(in Big first, params int[] rest);

            [RateLimit(10)]
            public partial long Sum(in Big first, params int[] rest);

            private Task<long> SumCoreAsync(in Big first, params int[] rest) => Task.FromResult(first.A + rest.Length);
            private long SumCore(Big first, params int[] rest) => first.A + rest.Length;
        }
        """);

    [Fact]
    public void ExtensionMethod() => Verify("""
        namespace Sample;

        public static partial class StringExtensions
        {
            [RateLimit(2)]
            public static partial Task<int> CountWordsAsync(this string text, CancellationToken cancellationToken);

            [RateLimit(2)]
            public static partial int CountLines(this string text);

            private static Task<int> CountWordsCoreAsync(this string text, CancellationToken cancellationToken) => Task.FromResult(text.Split(' ').Length);
            private static int CountLinesCore(string text) => text.Split('\n').Length;
        }
        """);

    [Fact]
    public void Overloads() => Verify("""
        namespace Sample;

        public sealed partial class Downloader
        {
            [RateLimit(5)]
            public partial Task<string> FetchAsync(string url);

            public Task<string> FetchAsync(Uri uri) => FetchAsync(uri.ToString());

            [RateLimit(5, Key = nameof(url))]
            public partial Task<string> FetchAsync(string url, int retries);

            private Task<string> FetchCoreAsync(string url) => Task.FromResult(url);
            private Task<string> FetchCoreAsync(string url, int retries) => Task.FromResult(url + retries);
        }
        """);

    [Fact]
    public void KeywordNamedParameters() => Verify("""
        namespace Sample;

        public sealed partial class Events
        {
            [RateLimit(5, Key = nameof(@event))]
            public partial Task HandleAsync(string @event, int @class, CancellationToken @checked);

            [RateLimit(5, Key = "event")]
            public partial void Handle(string @event);

            private Task HandleCoreAsync(string @event, int @class, CancellationToken @checked) => Task.CompletedTask;
            private void HandleCore(string @event) { }
        }
        """);

    [Fact]
    public void SlidingWindowAndLeakyBucketStrategies() => Verify("""
        namespace Sample;

        public sealed partial class Feeds
        {
            [RateLimit(100, Per = 60, Strategy = RateLimitStrategy.SlidingWindow)]
            public partial Task<string> ReadAsync(string feed);

            [RateLimit(10, Strategy = RateLimitStrategy.LeakyBucket, Burst = 20)]
            public partial Task WriteAsync(string feed);

            private Task<string> ReadCoreAsync(string feed) => Task.FromResult(feed);
            private Task WriteCoreAsync(string feed) => Task.CompletedTask;
        }
        """);

    [Fact]
    public void QueuedWithPriorityParameter() => Verify("""
        namespace Sample;

        public sealed partial class Renderer
        {
            [Queued(PriorityParameter = nameof(priority), Workers = 4, MaxSize = 100)]
            public partial Task<byte[]> RenderAsync(string page, int priority, CancellationToken cancellationToken);

            private Task<byte[]> RenderCoreAsync(string page, int priority, CancellationToken cancellationToken) => Task.FromResult(new byte[0]);
        }
        """);

    [Fact]
    public void QueuedOnNamedQueueReturningValueTask() => Verify("""
        namespace Sample;

        public static partial class Jobs
        {
            [Queued(Queue = "background", Priority = 5)]
            public static partial ValueTask RunAsync();

            private static ValueTask RunCoreAsync() => default;
        }
        """);

    [Fact]
    public void CircuitBreakerWithHandlesAndName() => Verify("""
        namespace Sample;

        public sealed partial class Payments
        {
            [CircuitBreaker(FailureThreshold = 3, BreakSeconds = 30, Handles = new[] { typeof(TimeoutException), typeof(System.IO.IOException) }, Name = "payments")]
            public partial ValueTask<decimal> ChargeAsync(decimal amount, CancellationToken cancellationToken);

            private ValueTask<decimal> ChargeCoreAsync(decimal amount, CancellationToken cancellationToken) => new(amount);
        }
        """);

    [Fact]
    public void RetryOnSynchronousMethods() => Verify("""
        namespace Sample;

        public sealed partial class Files
        {
            [Retry(MaxRetries = 2, BaseDelaySeconds = 0.5, Jitter = false, Handles = new[] { typeof(System.IO.IOException) })]
            public partial string Read(string path);

            [CircuitBreaker]
            [Retry]
            public partial void Delete(string path);

            private string ReadCore(string path) => path;
            private void DeleteCore(string path) { }
        }
        """);

    [Fact]
    public void DistributedSemaphoreWithPartition() => Verify("""
        namespace Sample;

        public sealed record Tenant(string Id);

        public sealed partial class Reports
        {
            [DistributedSemaphore("reports", 3, PartitionKey = "tenant.Id", AcquireTimeoutSeconds = 10, LeaseSeconds = 60)]
            public partial Task<int> BuildAsync(Tenant tenant, CancellationToken cancellationToken);

            [DistributedSemaphore("exports", 1, AcquireTimeoutSeconds = 5)]
            public partial int Export();

            private Task<int> BuildCoreAsync(Tenant tenant, CancellationToken cancellationToken) => Task.FromResult(1);
            private int ExportCore() => 2;
        }
        """);

    [Fact]
    public void RegisteredDistributedSemaphore() => Verify("""
        namespace Sample;

        public sealed partial class Upstream
        {
            [DistributedSemaphore(Semaphore = "upstream-licences", AcquireTimeoutSeconds = 10)]
            public partial Task<int> FetchAsync(CancellationToken cancellationToken);

            private Task<int> FetchCoreAsync(CancellationToken cancellationToken) => Task.FromResult(1);
        }
        """);

    [Fact]
    public void AllAttributesStacked() => Verify("""
        namespace Sample;

        public sealed partial class Licensed
        {
            [Queued(Workers = 8)]
            [CircuitBreaker(FailureThreshold = 5)]
            [Retry(MaxRetries = 3, Handles = new[] { typeof(TimeoutException) })]
            [RateLimit(20, Key = nameof(customer))]
            [DistributedSemaphore("licences", 4, AcquireTimeoutSeconds = 30)]
            public partial Task<string> CallAsync(string customer, int attempt, CancellationToken cancellationToken);

            private Task<string> CallCoreAsync(string customer, int attempt, CancellationToken cancellationToken) => Task.FromResult(customer);
        }
        """);

    [Fact]
    public void StaticMethodWithoutParametersStacked() => Verify("""
        namespace Sample;

        public static partial class Clock
        {
            [CircuitBreaker]
            [RateLimit(1)]
            public static partial Task TickAsync();

            private static Task TickCoreAsync() => Task.CompletedTask;
        }
        """);

    [Fact]
    public void InjectedRuntimeField() => Verify("""
        namespace Sample;

        // A DI-created service: every layer of every method runs on the runtime it was given, read from the state's receiver.
        public sealed partial class Orders
        {
            private readonly ThrottleRuntime _runtime;

            public Orders(ThrottleRuntime runtime) => _runtime = runtime;

            [CircuitBreaker(FailureThreshold = 3)]
            [RateLimit(10, Key = nameof(customer))]
            public partial Task<int> PlaceAsync(string customer, CancellationToken cancellationToken);

            [RateLimit(1)]
            public partial void Audit();

            private Task<int> PlaceCoreAsync(string customer, CancellationToken cancellationToken) => Task.FromResult(customer.Length);
            private void AuditCore() { }
        }
        """);

    [Fact]
    public void InjectedRuntimeNullableProperty() => Verify("""
        namespace Sample;

        // ThrottleRuntime?: passed as it is, so a null runs on ThrottleRuntime.Current. The implementation is static, so the
        // receiver is in the state only to read the property.
        public sealed partial class Clock
        {
            public ThrottleRuntime? Runtime { get; init; }

            [RateLimit(5)]
            public partial ValueTask<long> NowAsync();

            private static ValueTask<long> NowCoreAsync() => new(0L);
        }
        """);

    [Fact]
    public void InjectedRuntimeFromPrimaryConstructor() => Verify("""
        namespace Sample;

        // A primary-constructor parameter is in scope in every partial declaration: the generated one reads it through a
        // property of its own, which the static callbacks reach through the state's receiver.
        public sealed partial class Mailer(ThrottleRuntime runtime)
        {
            [Queued(Queue = "mail")]
            public partial Task SendAsync(string to);

            private Task SendCoreAsync(string to) => Task.CompletedTask;
        }
        """);

    [Fact]
    public void InjectedRuntimeFromBaseType() => Verify("""
        namespace Sample;

        public abstract class ServiceBase(ThrottleRuntime runtime)
        {
            protected ThrottleRuntime Runtime { get; } = runtime;

            private ThrottleRuntime Hidden { get; } = runtime; // private to the base: not a candidate
        }

        public sealed partial class Reports(ThrottleRuntime runtime) : ServiceBase(runtime)
        {
            [DistributedSemaphore("reports", 2, AcquireTimeoutSeconds = 5)]
            public partial Task<string> BuildAsync(int id);

            private Task<string> BuildCoreAsync(int id) => Task.FromResult(id.ToString());
        }
        """);

    [Fact]
    public void StaticRuntimeMember() => Verify("""
        namespace Sample;

        // A static method reads a static ThrottleRuntime member of its type, through the type.
        public static partial class Exporter
        {
            internal static ThrottleRuntime Runtime { get; set; } = new();

            [Retry(MaxRetries = 2)]
            public static partial Task ExportAsync(string path);

            private static Task ExportCoreAsync(string path) => Task.CompletedTask;
        }
        """);

    [Fact]
    public void RateLimitWithKeyMethodAndStorage() => Verify("""
        namespace Sample;

        public sealed record Order(string Tenant, int Id);

        public sealed partial class Orders
        {
            private readonly string _region = "eu";

            [RateLimit(5, KeyMethod = nameof(TenantOf), Storage = "redis")]
            public partial Task<int> PlaceAsync(Order order, CancellationToken cancellationToken);

            [RateLimit(5, KeyMethod = nameof(RegionOf))]
            public partial int Count(int id, string tenant);

            private Task<int> PlaceCoreAsync(Order order, CancellationToken cancellationToken) => Task.FromResult(order.Id);
            private static int CountCore(int id, string tenant) => id;
            private static string TenantOf(Order order) => order.Tenant;
            private string RegionOf(string tenant, int id) => _region + tenant + id;
        }
        """);

    [Fact]
    public void QueuedWithDelayAndDedupeKey() => Verify("""
        namespace Sample;

        public sealed record Request(int Id);

        public sealed partial class Jobs
        {
            [Queued(Queue = "later", DelayParameter = nameof(delay))]
            public partial Task RemindAsync(string user, TimeSpan delay);

            [Queued(DedupeKey = "request.Id")]
            public partial Task<string> FetchAsync(Request request, CancellationToken cancellationToken);

            private Task RemindCoreAsync(string user, TimeSpan delay) => Task.CompletedTask;
            private Task<string> FetchCoreAsync(Request request, CancellationToken cancellationToken) => Task.FromResult("x");
        }
        """);

    internal static GeneratorRun Verify(string source, [CallerMemberName] string name = "")
    {
        var run = GeneratorHarness.Run(Usings + source);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, "Generator diagnostics:\n" + run.Describe(run.GeneratorDiagnostics));
        Assert.NotEmpty(run.Sources);
        Assert.True(run.OutputDiagnostics.Count == 0, "The generated code does not compile cleanly:\n" + run.Describe(run.OutputDiagnostics));
        foreach (var file in run.Sources)
        {
            GeneratedCodeRules.AssertNoReflection(file.HintName, file.Text);
        }

        Snapshot.Verify(run, name);
        return run;
    }
}
