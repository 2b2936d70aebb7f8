using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Throttle.Limiters.Backends;
using Throttle.Testing.Redis;
using Xunit;

namespace Throttle.Tests.Storage.Redis;

[Collection(RedisFixture.CollectionName)]
public sealed class RedisMultiProcessTests(RedisFixture redis)
{
    private static readonly TimeSpan s_guard = TimeSpan.FromSeconds(120);

    [RedisTheory]
    [InlineData(nameof(LimiterAlgorithm.TokenBucket))]
    [InlineData(nameof(LimiterAlgorithm.SlidingWindow))]
    public async Task Two_processes_hammering_one_key_are_admitted_no_more_than_the_limit_in_total(string algorithm)
    {
        var prefix = redis.StoragePrefix(nameof(Two_processes_hammering_one_key_are_admitted_no_more_than_the_limit_in_total));
        const double capacity = 30;
        const double perSecond = 10;
        const double windowSeconds = 3;
        var arguments = string.Join(' ', redis.Endpoint, prefix, algorithm, "api", "shared",
            capacity.ToString(CultureInfo.InvariantCulture), perSecond.ToString(CultureInfo.InvariantCulture),
            windowSeconds.ToString(CultureInfo.InvariantCulture), "8", "40");

        var processes = Enumerable.Range(0, 2).Select(_ => StartLoadClient(arguments)).ToArray();
        try
        {
            // Both connected and warmed up: release them together.
            foreach (var process in processes)
            {
                Assert.Equal("ready", await process.StandardOutput.ReadLineAsync().WaitAsync(s_guard));
            }

            var start = await redis.Database.ServerSecondsAsync();
            foreach (var process in processes)
            {
                await process.StandardInput.WriteLineAsync("go");
                await process.StandardInput.FlushAsync();
            }

            var counts = new int[processes.Length];
            for (var i = 0; i < processes.Length; i++)
            {
                var line = await processes[i].StandardOutput.ReadLineAsync().WaitAsync(s_guard);
                await processes[i].WaitForExitAsync().WaitAsync(s_guard);
                Assert.True(processes[i].ExitCode == 0, await processes[i].StandardError.ReadToEndAsync());
                counts[i] = int.Parse(line!, CultureInfo.InvariantCulture);
            }

            var elapsed = await redis.Database.ServerSecondsAsync() - start;
            var limit = algorithm == nameof(LimiterAlgorithm.SlidingWindow)
                ? (int)capacity * (1 + (int)Math.Floor(elapsed / windowSeconds))
                : (int)capacity + (int)Math.Floor(perSecond * elapsed);
            Assert.InRange(counts.Sum(), (int)capacity, limit);
        }
        finally
        {
            foreach (var process in processes)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }

                process.Dispose();
            }
        }
    }

    private static Process StartLoadClient(string arguments)
    {
        var path = typeof(RedisMultiProcessTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "Throttle.Redis.LoadClient").Value!;
        Assert.True(File.Exists(path), $"The load client was not built at {path}.");
        var start = new ProcessStartInfo("dotnet", $"\"{Path.GetFullPath(path)}\" {arguments}")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        return Process.Start(start) ?? throw new InvalidOperationException("Could not start the load client.");
    }
}
