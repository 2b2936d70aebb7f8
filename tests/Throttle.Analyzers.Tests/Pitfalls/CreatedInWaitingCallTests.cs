using System.Threading.Tasks;
using Throttle.Analyzers.CodeFixes;
using Throttle.Analyzers.Pitfalls;
using Xunit;
using Verify = Throttle.Analyzers.Tests.Pitfalls.PitfallVerifier<
    Throttle.Analyzers.Pitfalls.CreatedInWaitingCallAnalyzer,
    Throttle.Analyzers.CodeFixes.CreatedInWaitingCallCodeFixProvider>;

namespace Throttle.Analyzers.Tests.Pitfalls;

public sealed class CreatedInWaitingCallTests
{
    [Fact]
    public async Task SemaphoreSlim_made_and_awaited_in_one_method_moves_to_a_static_readonly_field()
    {
        const string source = """
            using System.Threading;
            using System.Threading.Tasks;

            public class Fetcher
            {
                public async Task<int> FetchAsync(CancellationToken cancellationToken)
                {
                    var gate = {|THR901:new SemaphoreSlim(10)|};
                    await gate.WaitAsync(cancellationToken);
                    try
                    {
                        return 42;
                    }
                    finally
                    {
                        gate.Release();
                    }
                }
            }
            """;
        const string fixedSource = """
            using System.Threading;
            using System.Threading.Tasks;

            public class Fetcher
            {
                private static readonly SemaphoreSlim s_gate = new SemaphoreSlim(10);

                public async Task<int> FetchAsync(CancellationToken cancellationToken)
                {
                    await s_gate.WaitAsync(cancellationToken);
                    try
                    {
                        return 42;
                    }
                    finally
                    {
                        s_gate.Release();
                    }
                }
            }
            """;

        await Verify.VerifyAsync(source, fixedSource);
    }

    [Fact]
    public async Task Message_names_the_type_and_why()
    {
        const string source = """
            using System.Threading;

            public class Worker
            {
                public void Run()
                {
                    var gate = new SemaphoreSlim(1);
                    gate.Wait();
                    gate.Release();
                }
            }
            """;
        const string fixedSource = """
            using System.Threading;

            public class Worker
            {
                private static readonly SemaphoreSlim s_gate = new SemaphoreSlim(1);

                public void Run()
                {
                    s_gate.Wait();
                    s_gate.Release();
                }
            }
            """;

        await Verify.VerifyAsync(source, fixedSource, Verify.Diagnostic().WithSpan(7, 20, 7, 40).WithArguments("SemaphoreSlim", "every call gets its own and it limits nothing"));
    }

    [Fact]
    public async Task Throttle_limiter_without_storage_and_in_process_semaphore_are_reported_and_hoisted()
    {
        const string source = """
            using System.Threading.Tasks;
            using Throttle.Limiters;
            using Throttle.Semaphores;

            public class Client
            {
                public async Task CallAsync()
                {
                    TokenBucketLimiter limiter = {|THR901:new(5, per: 1)|};
                    await limiter.AcquireAsync("api");
                    var slots = {|THR901:new InProcessSemaphore("jobs", 2)|};
                    await using var lease = await slots.AcquireAsync();
                }
            }
            """;
        const string fixedSource = """
            using System.Threading.Tasks;
            using Throttle.Limiters;
            using Throttle.Semaphores;

            public class Client
            {
                private static readonly InProcessSemaphore s_slots = new InProcessSemaphore("jobs", 2);
                private static readonly TokenBucketLimiter s_limiter = new(5, per: 1);

                public async Task CallAsync()
                {
                    await s_limiter.AcquireAsync("api");
                    await using var lease = await s_slots.AcquireAsync();
                }
            }
            """;

        await Verify.VerifyAsync(source, fixedSource);
    }

    [Fact]
    public async Task Waited_on_at_once_is_reported_without_a_fix()
    {
        const string source = """
            using System.Threading;

            public class Worker
            {
                public void Run() => {|THR901:new SemaphoreSlim(1)|}.Wait();
            }
            """;

        await Verify.VerifyNoFixAsync(source);
    }

    [Fact]
    public async Task Initializer_that_uses_the_call_is_reported_without_a_fix()
    {
        const string source = """
            using System.Threading;
            using System.Threading.Tasks;

            public class Worker
            {
                private readonly int _width = 4;

                public async Task RunAsync(int width)
                {
                    var perCall = {|THR901:new SemaphoreSlim(width)|};
                    await perCall.WaitAsync();
                    perCall.Release();
                    var perInstance = {|THR901:new SemaphoreSlim(_width)|};
                    await perInstance.WaitAsync();
                    perInstance.Release();
                }
            }
            """;

        await Verify.VerifyNoFixAsync(source);
    }

    [Fact]
    public async Task Redis_handle_is_reported_with_its_own_reason_unless_disposed()
    {
        const string source = """
            using System.Threading.Tasks;
            using StackExchange.Redis;
            using Throttle.Semaphores;

            public class Reports
            {
                public async Task BuildAsync(IConnectionMultiplexer redis)
                {
                    var leaked = new DistributedSemaphore(redis, "reports", 3);
                    await using (await leaked.AcquireAsync()) { }

                    await using var disposed = new DistributedSemaphore(redis, "reports", 3);
                    await using (await disposed.AcquireAsync()) { }
                }
            }
            """;

        await Verify.VerifyNoFixAsync(
            source,
            Verify.Diagnostic().WithSpan(9, 22, 9, 67).WithArguments("DistributedSemaphore", "every call opens its own Redis subscription, which stays open until the handle is disposed"));
    }

    [Fact]
    public async Task Near_misses_are_quiet()
    {
        const string source = """
            using System.Collections.Generic;
            using System.Linq;
            using System.Threading;
            using System.Threading.Tasks;
            using Throttle.Limiters;
            using Throttle.Storage;

            public class NearMisses
            {
                private SemaphoreSlim? _lazy;
                private readonly List<SemaphoreSlim> _all = new();
                private static readonly ThrottleStorage s_storage = new MemoryStorage();

                // Stored to a field: shared from then on.
                public async Task StoredAsync()
                {
                    var gate = new SemaphoreSlim(1);
                    _lazy = gate;
                    await gate.WaitAsync();
                }

                // Returned: the caller decides its lifetime.
                public SemaphoreSlim Returned()
                {
                    var gate = new SemaphoreSlim(1);
                    gate.Wait();
                    return gate;
                }

                // Passed out: someone else may keep it.
                public async Task PassedAsync()
                {
                    var gate = new SemaphoreSlim(1);
                    _all.Add(gate);
                    await gate.WaitAsync();
                }

                // Bounds this call's own fan-out: the waits are in a lambda that runs once per item.
                public Task FanOutAsync(IEnumerable<int> items)
                {
                    var gate = new SemaphoreSlim(4);
                    return Task.WhenAll(items.Select(async item =>
                    {
                        await gate.WaitAsync();
                        try { await Task.Delay(item); } finally { gate.Release(); }
                    }));
                }

                // Captured by a local function that escapes as a delegate.
                public System.Func<Task> Escapes()
                {
                    var gate = new SemaphoreSlim(1);
                    return WaitAsync;

                    async Task WaitAsync() => await gate.WaitAsync();
                }

                // A limiter over a shared storage keeps its state there: one per call still limits.
                public async Task SharedStorageAsync()
                {
                    var limiter = new TokenBucketLimiter(5, storage: s_storage);
                    await limiter.AcquireAsync("api");
                }

                // Never waited on here.
                public int NotWaited()
                {
                    var gate = new SemaphoreSlim(3);
                    return gate.CurrentCount;
                }
            }
            """;

        await Verify.VerifyNoFixAsync(source);
    }

    [Fact]
    public async Task Top_level_statements_run_once_and_are_quiet()
    {
        const string source = """
            using System.Threading;

            var gate = new SemaphoreSlim(1);
            await gate.WaitAsync();
            gate.Release();
            """;

        var test = new PitfallVerifier<CreatedInWaitingCallAnalyzer, CreatedInWaitingCallCodeFixProvider>.Test(source, source);
        test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        await test.RunAsync();
    }

    [Fact]
    public async Task In_a_minimal_api_handler_the_declaration_moves_before_the_mapping()
    {
        const string source = """
            using Microsoft.AspNetCore.Builder;
            using Throttle.Limiters;

            var app = WebApplication.Create();
            app.MapGet("/", async () =>
            {
                var limiter = {|THR901:new TokenBucketLimiter(5)|};
                await limiter.AcquireAsync("home");
                return "ok";
            });
            app.Run();
            """;
        const string fixedSource = """
            using Microsoft.AspNetCore.Builder;
            using Throttle.Limiters;

            var app = WebApplication.Create();
            var limiter = new TokenBucketLimiter(5);
            app.MapGet("/", async () =>
            {
                await limiter.AcquireAsync("home");
                return "ok";
            });
            app.Run();
            """;

        var test = new PitfallVerifier<CreatedInWaitingCallAnalyzer, CreatedInWaitingCallCodeFixProvider>.Test(source, fixedSource);
        test.TestState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        test.FixedState.OutputKind = Microsoft.CodeAnalysis.OutputKind.ConsoleApplication;
        await test.RunAsync();
    }
}
