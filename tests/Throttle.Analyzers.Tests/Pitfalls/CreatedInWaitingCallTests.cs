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
}
