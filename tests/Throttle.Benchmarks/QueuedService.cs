using System.Threading;
using System.Threading.Tasks;

namespace Throttle.Benchmarks;

/// <summary>A generated <c>[Queued]</c> wrapper around the same trivial implementation the queue benchmarks call directly.</summary>
public sealed partial class QueuedService
{
    public static readonly QueuedService Instance = new();

    [Queued(Workers = 1)]
    public partial ValueTask<int> RunAsync(int x, CancellationToken cancellationToken);

    private ValueTask<int> RunCoreAsync(int x, CancellationToken cancellationToken) => new(x + 1);
}
