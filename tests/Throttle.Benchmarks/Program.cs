using BenchmarkDotNet.Running;

namespace Throttle.Benchmarks;

public static class Program
{
    // dotnet run -c Release --project tests/Throttle.Benchmarks -- --filter '*RateLimitOverhead*' [--job short]
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
