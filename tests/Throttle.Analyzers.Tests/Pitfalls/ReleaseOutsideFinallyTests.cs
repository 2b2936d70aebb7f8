using System.Threading.Tasks;
using Xunit;
using Verify = Throttle.Analyzers.Tests.Pitfalls.PitfallVerifier<
    Throttle.Analyzers.Pitfalls.ReleaseOutsideFinallyAnalyzer,
    Throttle.Analyzers.CodeFixes.ReleaseOutsideFinallyCodeFixProvider>;

namespace Throttle.Analyzers.Tests.Pitfalls;

public sealed class ReleaseOutsideFinallyTests
{
    [Fact]
    public async Task Wraps_the_work_between_wait_and_release_in_try_finally()
    {
        const string source = """
            using System.Threading;
            using System.Threading.Tasks;

            public class Fetcher
            {
                private readonly SemaphoreSlim _gate = new(4);

                public async Task<int> FetchAsync(CancellationToken cancellationToken)
                {
                    await _gate.WaitAsync(cancellationToken);
                    var result = await Task.FromResult(1);
                    // keep the comment
                    await Task.Delay(result, cancellationToken);
                    {|THR903:_gate.Release()|};
                    return 2;
                }
            }
            """;
        const string fixedSource = """
            using System.Threading;
            using System.Threading.Tasks;

            public class Fetcher
            {
                private readonly SemaphoreSlim _gate = new(4);

                public async Task<int> FetchAsync(CancellationToken cancellationToken)
                {
                    await _gate.WaitAsync(cancellationToken);
                    try
                    {
                        var result = await Task.FromResult(1);
                        // keep the comment
                        await Task.Delay(result, cancellationToken);
                    }
                    finally
                    {
                        _gate.Release();
                    }

                    return 2;
                }
            }
            """;

        await Verify.VerifyAsync(source, fixedSource);
    }

    [Fact]
    public async Task A_guard_that_leaves_on_timeout_counts_as_a_successful_wait()
    {
        const string source = """
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            public class Jobs
            {
                public async Task RunAsync(SemaphoreSlim gate)
                {
                    if (!await gate.WaitAsync(TimeSpan.FromSeconds(1)))
                    {
                        return;
                    }

                    Work();
                    {|THR903:gate.Release()|};
                }

                private static void Work() { }
            }
            """;
        const string fixedSource = """
            using System;
            using System.Threading;
            using System.Threading.Tasks;

            public class Jobs
            {
                public async Task RunAsync(SemaphoreSlim gate)
                {
                    if (!await gate.WaitAsync(TimeSpan.FromSeconds(1)))
                    {
                        return;
                    }

                    try
                    {
                        Work();
                    }
                    finally
                    {
                        gate.Release();
                    }
                }

                private static void Work() { }
            }
            """;

        await Verify.VerifyAsync(source, fixedSource);
    }

    [Fact]
    public async Task Fix_all_wraps_each_wait()
    {
        const string source = """
            using System.Threading;

            public class Jobs
            {
                private static readonly SemaphoreSlim s_a = new(1);
                private static readonly SemaphoreSlim s_b = new(1);

                public void Run()
                {
                    s_a.Wait();
                    Work();
                    {|THR903:s_a.Release()|};
                    s_b.Wait();
                    Work();
                    {|THR903:s_b.Release()|};
                }

                private static void Work() { }
            }
            """;
        const string fixedSource = """
            using System.Threading;

            public class Jobs
            {
                private static readonly SemaphoreSlim s_a = new(1);
                private static readonly SemaphoreSlim s_b = new(1);

                public void Run()
                {
                    s_a.Wait();
                    try
                    {
                        Work();
                    }
                    finally
                    {
                        s_a.Release();
                    }

                    s_b.Wait();
                    try
                    {
                        Work();
                    }
                    finally
                    {
                        s_b.Release();
                    }
                }

                private static void Work() { }
            }
            """;

        await Verify.VerifyAsync(source, fixedSource);
    }

    [Fact]
    public async Task A_local_used_after_the_release_is_reported_without_a_fix()
    {
        const string source = """
            using System.Threading;

            public class Jobs
            {
                private static readonly SemaphoreSlim s_gate = new(1);

                public int Run()
                {
                    s_gate.Wait();
                    var value = Compute();
                    s_gate.Release();
                    return value;
                }

                private static int Compute() => 1;
            }
            """;

        await Verify.VerifyNoFixAsync(source, Verify.Diagnostic().WithSpan(11, 9, 11, 25).WithArguments("s_gate"));
    }

    [Fact]
    public async Task Near_misses_are_quiet()
    {
        const string source = """
            using System.Threading;
            using System.Threading.Tasks;

            public class NearMisses
            {
                private static readonly SemaphoreSlim s_gate = new(1);
                private static readonly SemaphoreSlim s_other = new(1);

                public async Task InFinallyAsync()
                {
                    await s_gate.WaitAsync();
                    try { Work(); } finally { s_gate.Release(); }
                }

                // Acquired in one method, released in another: a hand-off this cannot follow.
                public Task EnterAsync() => s_gate.WaitAsync();

                public void Exit() => s_gate.Release();

                // Nothing between the wait and the release can throw.
                public void Nothing()
                {
                    s_gate.Wait();
                    s_gate.Release();
                }

                // Another semaphore's wait.
                public void Other()
                {
                    s_other.Wait();
                    Work();
                    s_gate.Release();
                }

                // Released early on one path already: the code has its own scheme.
                public void EarlyExit(bool done)
                {
                    s_gate.Wait();
                    if (done)
                    {
                        s_gate.Release();
                        return;
                    }

                    s_gate.Release();
                }

                private static void Work() { }
            }
            """;

        await Verify.VerifyNoFixAsync(source);
    }
}
