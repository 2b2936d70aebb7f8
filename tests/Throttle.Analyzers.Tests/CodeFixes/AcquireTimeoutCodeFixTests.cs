using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Throttle.Analyzers.CodeFixes;
using Xunit;

namespace Throttle.Analyzers.Tests.CodeFixes;

public sealed class AcquireTimeoutCodeFixTests() : CodeFixTests<AcquireTimeoutCodeFixProvider>("THR401")
{
    private const string Prefix = """
        using System.Threading;
        using System.Threading.Tasks;
        using Throttle;

        public partial class Reports
        {

        """;

    private const string Suffix = """

            private Task BuildCoreAsync(int id, CancellationToken cancellationToken) => Task.CompletedTask;
        }
        """;

    [Fact]
    public async Task Appends_the_timeout_to_the_arguments()
    {
        var source = Prefix + """
                [DistributedSemaphore("reports-db", 3)]
                public partial Task BuildAsync(int id, CancellationToken cancellationToken);
            """ + Suffix;
        var expected = Prefix + """
                [DistributedSemaphore("reports-db", 3, AcquireTimeoutSeconds = 30)]
                public partial Task BuildAsync(int id, CancellationToken cancellationToken);
            """ + Suffix;

        await VerifyFixAsync(source, expected);
    }

    [Fact]
    public async Task Replaces_an_explicit_infinite_timeout()
    {
        var source = Prefix + """
                [DistributedSemaphore("reports-db", 3, AcquireTimeoutSeconds = double.PositiveInfinity, LeaseSeconds = 60)]
                public partial Task BuildAsync(int id, CancellationToken cancellationToken);
            """ + Suffix;
        var expected = Prefix + """
                [DistributedSemaphore("reports-db", 3, AcquireTimeoutSeconds = 30, LeaseSeconds = 60)]
                public partial Task BuildAsync(int id, CancellationToken cancellationToken);
            """ + Suffix;

        await VerifyFixAsync(source, expected);
    }

    [Theory]
    [InlineData(FixAllScope.Document)]
    [InlineData(FixAllScope.Project)]
    [InlineData(FixAllScope.Solution)]
    public async Task Fix_all_sets_every_timeout(FixAllScope scope)
    {
        var source = Prefix + """
                [DistributedSemaphore("a", 1)]
                public partial Task BuildAsync(int id, CancellationToken cancellationToken);

                [DistributedSemaphore("b", 2)]
                public partial Task ExportAsync(CancellationToken cancellationToken);

                private Task ExportCoreAsync(CancellationToken cancellationToken) => Task.CompletedTask;
            """ + Suffix;
        var expected = Prefix + """
                [DistributedSemaphore("a", 1, AcquireTimeoutSeconds = 30)]
                public partial Task BuildAsync(int id, CancellationToken cancellationToken);

                [DistributedSemaphore("b", 2, AcquireTimeoutSeconds = 30)]
                public partial Task ExportAsync(CancellationToken cancellationToken);

                private Task ExportCoreAsync(CancellationToken cancellationToken) => Task.CompletedTask;
            """ + Suffix;

        await VerifyFixAllAsync(source, expected, scope);
    }
}
