using System.Threading.Tasks;
using Xunit;
using Verify = Throttle.Analyzers.Tests.Pitfalls.PitfallVerifier<
    Throttle.Analyzers.Pitfalls.UnboundedWaitAnalyzer,
    Throttle.Analyzers.CodeFixes.UnboundedWaitCodeFixProvider>;

namespace Throttle.Analyzers.Tests.Pitfalls;

public sealed class UnboundedWaitTests
{
    [Fact]
    public async Task Passes_the_methods_cancellation_token()
    {
        const string source = """
            using System.Threading;
            using System.Threading.Tasks;

            public class Fetcher
            {
                private static readonly SemaphoreSlim s_gate = new(4);

                public async Task FetchAsync(string url, CancellationToken cancellationToken)
                {
                    await {|THR902:s_gate.WaitAsync()|};
                    try { await Task.Delay(1, cancellationToken); } finally { s_gate.Release(); }
                }

                public async Task BlockAsync(CancellationToken token)
                {
                    await Task.Yield();
                    {|THR902:s_gate.Wait()|};
                    s_gate.Release();
                }
            }
            """;
        const string fixedSource = """
            using System.Threading;
            using System.Threading.Tasks;

            public class Fetcher
            {
                private static readonly SemaphoreSlim s_gate = new(4);

                public async Task FetchAsync(string url, CancellationToken cancellationToken)
                {
                    await s_gate.WaitAsync(cancellationToken);
                    try { await Task.Delay(1, cancellationToken); } finally { s_gate.Release(); }
                }

                public async Task BlockAsync(CancellationToken token)
                {
                    await Task.Yield();
                    s_gate.Wait(token);
                    s_gate.Release();
                }
            }
            """;

        await Verify.VerifyAsync(source, fixedSource);
    }

    [Fact]
    public async Task Lambda_takes_its_own_token_before_the_outer_one_and_a_local_token_is_used_when_alone()
    {
        const string source = """
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            public class Jobs
            {
                private static readonly SemaphoreSlim s_gate = new(1);

                public Func<CancellationToken, Task> Make(CancellationToken outer) => async inner =>
                {
                    await {|THR902:s_gate.WaitAsync()|};
                    s_gate.Release();
                };

                public async Task RunAsync()
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    var token = cts.Token;
                    await {|THR902:s_gate.WaitAsync()|};
                    s_gate.Release();
                }
            }
            """;
        const string fixedSource = """
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            public class Jobs
            {
                private static readonly SemaphoreSlim s_gate = new(1);

                public Func<CancellationToken, Task> Make(CancellationToken outer) => async inner =>
                {
                    await s_gate.WaitAsync(inner);
                    s_gate.Release();
                };

                public async Task RunAsync()
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                    var token = cts.Token;
                    await s_gate.WaitAsync(token);
                    s_gate.Release();
                }
            }
            """;

        await Verify.VerifyAsync(source, fixedSource);
    }

    [Fact]
    public async Task Without_a_token_in_scope_it_is_reported_without_a_fix()
    {
        const string source = """
            using System.Threading;
            using System.Threading.Tasks;

            public class Jobs
            {
                private static readonly SemaphoreSlim s_gate = new(1);

                public async Task RunAsync(int id)
                {
                    await {|THR902:s_gate.WaitAsync()|};
                    s_gate.Release();
                }
            }
            """;

        await Verify.VerifyNoFixAsync(source);
    }

    [Fact]
    public async Task Message_names_the_call()
    {
        const string source = """
            using System.Threading;
            using System.Threading.Tasks;

            public class Jobs
            {
                private static readonly SemaphoreSlim s_gate = new(1);

                public async Task RunAsync()
                {
                    await s_gate.WaitAsync();
                    s_gate.Release();
                }
            }
            """;

        await Verify.VerifyNoFixAsync(source, Verify.Diagnostic().WithSpan(10, 15, 10, 33).WithArguments("WaitAsync()"));
    }

    [Fact]
    public async Task Near_misses_are_quiet()
    {
        const string source = """
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            public class NearMisses
            {
                private static readonly SemaphoreSlim s_gate = new(1);

                public async Task WithTokenAsync(CancellationToken cancellationToken) => await s_gate.WaitAsync(cancellationToken);

                public async Task<bool> WithTimeoutAsync() => await s_gate.WaitAsync(TimeSpan.FromSeconds(5));

                public async Task<bool> WithMillisecondsAsync() => await s_gate.WaitAsync(5000);

                // Not async code: a synchronous method, or one that hands the task on.
                public void Blocking() => s_gate.Wait();

                public Task HandsOn() => s_gate.WaitAsync();
            }
            """;

        await Verify.VerifyNoFixAsync(source);
    }
}
