using Xunit;

namespace Throttle.Generator.Tests.Emitting;

/// <summary>Golden files of the registration code emitted for <c>[Scheduled]</c> methods; each must compile without warnings.</summary>
public sealed class ScheduledSnapshotTests
{
    [Fact]
    public void ScheduledStaticMethods() => SnapshotTests.Verify("""
        namespace Sample;

        public static partial class Maintenance
        {
            [Scheduled(Seconds = 30, Minutes = 1)]
            public static Task PurgeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            [Scheduled(Cron = "0 * * * *", Name = "hourly \"report\"")]
            private static ValueTask ReportAsync() => default;

            [Scheduled(Hours = 24, OnlyOnLeader = true)]
            internal static void Compact(CancellationToken cancellationToken) { }
        }
        """);

    [Fact]
    public void ScheduledInstanceMethodsOfANestedType() => SnapshotTests.Verify("""
        namespace Sample;

        public partial class Outer
        {
            public sealed partial class Reports
            {
                [Scheduled(Seconds = 1, OnlyOnLeader = true, Leadership = "reports")]
                public async Task LicenceUseAsync(CancellationToken cancellationToken) => await Task.Delay(1, cancellationToken);

                [Scheduled(Minutes = 5)]
                private void Flush() { }

                [Scheduled(Seconds = 10)]
                public static ValueTask TickAsync(CancellationToken cancellationToken) => default;
            }
        }
        """);
}
