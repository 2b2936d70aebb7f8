using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Throttle.Analyzers.CodeFixes;
using Throttle.Analyzers.Pitfalls;
using Xunit;
using Verify = Throttle.Analyzers.Tests.Pitfalls.PitfallVerifier<
    Throttle.Analyzers.Pitfalls.CreatedPerRequestAnalyzer,
    Throttle.Analyzers.CodeFixes.CreatedPerRequestCodeFixProvider>;

namespace Throttle.Analyzers.Tests.Pitfalls;

public sealed class CreatedPerRequestTests
{
    [Fact]
    public async Task Minimal_api_handler_local_moves_before_the_mapping()
    {
        const string source = """
            using Microsoft.AspNetCore.Builder;
            using Throttle.Limiters;

            var app = WebApplication.Create();
            app.MapGet("/report", async (string key) =>
            {
                var limiter = {|THR904:new TokenBucketLimiter(5)|};
                return await Run(limiter, key);
            });
            app.Run();

            static System.Threading.Tasks.Task<string> Run(ThrottleLimiter limiter, string key) => System.Threading.Tasks.Task.FromResult(key);
            """;
        const string fixedSource = """
            using Microsoft.AspNetCore.Builder;
            using Throttle.Limiters;

            var app = WebApplication.Create();
            var limiter = new TokenBucketLimiter(5);
            app.MapGet("/report", async (string key) =>
            {
                return await Run(limiter, key);
            });
            app.Run();

            static System.Threading.Tasks.Task<string> Run(ThrottleLimiter limiter, string key) => System.Threading.Tasks.Task.FromResult(key);
            """;

        var test = new PitfallVerifier<CreatedPerRequestAnalyzer, CreatedPerRequestCodeFixProvider>.Test(source, fixedSource);
        test.TestState.OutputKind = OutputKind.ConsoleApplication;
        test.FixedState.OutputKind = OutputKind.ConsoleApplication;
        await test.RunAsync();
    }

    [Fact]
    public async Task Controller_action_local_becomes_a_static_readonly_field_and_the_message_says_per_request()
    {
        const string source = """
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Mvc;
            using Throttle.Semaphores;

            public class ReportsController : ControllerBase
            {
                [HttpGet]
                public async Task<IActionResult> Get()
                {
                    var slots = new InProcessSemaphore("reports", 2);
                    await Export(slots);
                    return Ok();
                }

                private static Task Export(ThrottleSemaphore slots) => Task.CompletedTask;
            }
            """;
        const string fixedSource = """
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Mvc;
            using Throttle.Semaphores;

            public class ReportsController : ControllerBase
            {
                private static readonly InProcessSemaphore s_slots = new InProcessSemaphore("reports", 2);

                [HttpGet]
                public async Task<IActionResult> Get()
                {
                    await Export(s_slots);
                    return Ok();
                }

                private static Task Export(ThrottleSemaphore slots) => Task.CompletedTask;
            }
            """;

        await Verify.VerifyAsync(
            source,
            fixedSource,
            Verify.Diagnostic().WithSpan(10, 21, 10, 57).WithArguments("InProcessSemaphore", "request", "every call gets its own and it limits nothing"));
    }

    [Fact]
    public async Task Controller_field_initializer_becomes_static()
    {
        const string source = """
            using Microsoft.AspNetCore.Mvc;
            using Throttle.Limiters;

            public class ApiController : ControllerBase
            {
                private readonly SlidingWindowLimiter _limiter = {|THR904:new SlidingWindowLimiter(100, per: 60)|};
            }
            """;
        const string fixedSource = """
            using Microsoft.AspNetCore.Mvc;
            using Throttle.Limiters;

            public class ApiController : ControllerBase
            {
                private static readonly SlidingWindowLimiter _limiter = new SlidingWindowLimiter(100, per: 60);
            }
            """;

        await Verify.VerifyAsync(source, fixedSource);
    }

    [Fact]
    public async Task Transient_scoped_and_typed_client_fields_are_reported_with_their_lifetime()
    {
        const string source = """
            using System.Net.Http;
            using Microsoft.Extensions.DependencyInjection;
            using Throttle.Limiters;

            public interface IExporter { }

            public class Exporter : IExporter
            {
                private readonly TokenBucketLimiter _limiter = new TokenBucketLimiter(5);
            }

            public class Billing
            {
                private readonly LeakyBucketLimiter _limiter;

                public Billing() => _limiter = new LeakyBucketLimiter(10, 20);
            }

            public class GitHubClient(HttpClient http)
            {
                private readonly TokenBucketLimiter _limiter = new TokenBucketLimiter(5);
            }

            public class Singleton
            {
                private readonly TokenBucketLimiter _limiter = new TokenBucketLimiter(5);
            }

            public static class Setup
            {
                public static void Configure(IServiceCollection services)
                {
                    services.AddTransient<IExporter, Exporter>();
                    services.AddScoped(typeof(Billing));
                    services.AddHttpClient<GitHubClient>();
                    services.AddSingleton<Singleton>();
                }
            }
            """;
        const string fixedSource = """
            using System.Net.Http;
            using Microsoft.Extensions.DependencyInjection;
            using Throttle.Limiters;

            public interface IExporter { }

            public class Exporter : IExporter
            {
                private static readonly TokenBucketLimiter _limiter = new TokenBucketLimiter(5);
            }

            public class Billing
            {
                private readonly LeakyBucketLimiter _limiter;

                public Billing() => _limiter = new LeakyBucketLimiter(10, 20);
            }

            public class GitHubClient(HttpClient http)
            {
                private static readonly TokenBucketLimiter _limiter = new TokenBucketLimiter(5);
            }

            public class Singleton
            {
                private readonly TokenBucketLimiter _limiter = new TokenBucketLimiter(5);
            }

            public static class Setup
            {
                public static void Configure(IServiceCollection services)
                {
                    services.AddTransient<IExporter, Exporter>();
                    services.AddScoped(typeof(Billing));
                    services.AddHttpClient<GitHubClient>();
                    services.AddSingleton<Singleton>();
                }
            }
            """;

        var test = new PitfallVerifier<CreatedPerRequestAnalyzer, CreatedPerRequestCodeFixProvider>.Test(source, fixedSource);
        test.ExpectedDiagnostics.Add(Verify.Diagnostic().WithSpan(9, 52, 9, 77)
            .WithArguments("TokenBucketLimiter", "resolution of the transient service 'Exporter'", "every call gets its own and it limits nothing"));
        test.ExpectedDiagnostics.Add(Verify.Diagnostic().WithSpan(16, 36, 16, 66)
            .WithArguments("LeakyBucketLimiter", "scope (each request) of the scoped service 'Billing'", "every call gets its own and it limits nothing"));
        test.ExpectedDiagnostics.Add(Verify.Diagnostic().WithSpan(21, 52, 21, 77)
            .WithArguments("TokenBucketLimiter", "resolution of the typed HttpClient (transient) 'GitHubClient'", "every call gets its own and it limits nothing"));

        // Reported at the end of the compilation, once every registration is known: a non-local diagnostic, which the
        // test framework would refuse to fix; the fix itself is the same as for a controller's field.
        test.CodeFixTestBehaviors |= Microsoft.CodeAnalysis.Testing.CodeFixTestBehaviors.SkipLocalDiagnosticCheck;

        // The constructor's assignment has no fix, so it stays reported after the fixes.
        test.FixedState.ExpectedDiagnostics.Add(Verify.Diagnostic().WithSpan(16, 36, 16, 66)
            .WithArguments("LeakyBucketLimiter", "scope (each request) of the scoped service 'Billing'", "every call gets its own and it limits nothing"));
        await test.RunAsync();
    }

    [Fact]
    public async Task Near_misses_are_quiet()
    {
        const string source = """
            using System.Collections.Concurrent;
            using System.Threading;
            using System.Threading.Tasks;
            using Microsoft.AspNetCore.Builder;
            using Microsoft.AspNetCore.Mvc;
            using Throttle.Limiters;
            using Throttle.Storage;

            public class NearMissesController : ControllerBase
            {
                private static readonly ThrottleStorage s_storage = new MemoryStorage();
                private static readonly ConcurrentDictionary<string, ThrottleLimiter> s_limiters = new();
                private static TokenBucketLimiter? s_lazy;

                // Over a shared storage: the state is in the storage, one per request still limits.
                public async Task<IActionResult> Shared()
                {
                    var limiter = new TokenBucketLimiter(5, storage: s_storage);
                    await Use(limiter);
                    return Ok();
                }

                // Made once and cached: the creation runs in the factory lambda, not per request.
                public IActionResult Cached(string tenant)
                {
                    var limiter = s_limiters.GetOrAdd(tenant, _ => new TokenBucketLimiter(5));
                    return Ok(limiter.Scope);
                }

                // Stored into a static field.
                public IActionResult Lazy()
                {
                    s_lazy ??= new TokenBucketLimiter(5);
                    return Ok();
                }

                // Not an action.
                [NonAction]
                public void Helper() => _ = new TokenBucketLimiter(5);

                private static Task Use(ThrottleLimiter limiter) => Task.CompletedTask;

                // A per-request SemaphoreSlim bounding the request's own fan-out is fine.
                public async Task<IActionResult> FanOut()
                {
                    var gate = new SemaphoreSlim(4);
                    await Task.WhenAll(new[] { 1, 2 }.Select(async i => { await gate.WaitAsync(); gate.Release(); }));
                    return Ok();
                }

                // A static field of a controller is made once.
                private static readonly TokenBucketLimiter s_once = new TokenBucketLimiter(5);
            }

            public static class Endpoints
            {
                public static void Map(WebApplication app)
                {
                    // Mapping code runs once: a limiter made here is shared by every request.
                    var limiter = new TokenBucketLimiter(5);
                    app.MapGet("/", () => limiter.Scope);
                }
            }
            """;

        await Verify.VerifyNoFixAsync(source.Replace("using System.Threading.Tasks;", "using System.Linq;\nusing System.Threading.Tasks;"));
    }
}
