using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Throttle.Package.Tests;

/// <summary>
/// Runs <c>dotnet pack src/Throttle.Runtime -c Release</c> once into a temporary feed folder, shared by the tests of a class.
/// A failed pack is kept (not thrown) so each test reports it with the command's output.
/// </summary>
public sealed class PackedPackageFixture : IAsyncLifetime
{
    public string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>Temporary folder holding this run's feed, consumer project and NuGet cache.</summary>
    public string WorkDirectory { get; } = Path.Combine(Path.GetTempPath(), "throttle-package-tests-" + Guid.NewGuid().ToString("N")[..12]);

    public string FeedDirectory => Path.Combine(WorkDirectory, "feed");

    public ProcessResult? PackResult { get; private set; }

    /// <summary>The .nupkg produced by the pack, or null if there is not exactly one.</summary>
    public string? PackagePath { get; private set; }

    private static readonly TimeSpan PackTimeout = TimeSpan.FromMinutes(15);

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(FeedDirectory);
        var project = Path.Combine(RepositoryRoot, "src", "Throttle.Runtime", "Throttle.Runtime.csproj");
        // The pack compiles the runtime for two frameworks plus the generator and analyzers: allow for a busy machine.
        PackResult = await DotNetCli.RunAsync(
            RepositoryRoot, environment: null, PackTimeout,
            "pack", project, "-c", "Release", "-o", FeedDirectory, "-nodeReuse:false").ConfigureAwait(false);
        var packages = Directory.GetFiles(FeedDirectory, "*.nupkg").Where(p => !p.EndsWith(".snupkg", StringComparison.Ordinal)).ToArray();
        PackagePath = packages.Length == 1 ? packages[0] : null;
    }

    public Task DisposeAsync()
    {
        try
        {
            Directory.Delete(WorkDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp folder is harmless.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return Task.CompletedTask;
    }

    /// <summary>Asserts the pack succeeded and produced one package; returns its path.</summary>
    public string RequirePackage()
    {
        Assert.NotNull(PackResult);
        Assert.True(PackResult.Succeeded, "dotnet pack failed: " + PackResult.Describe());
        var found = string.Join(", ", Directory.GetFiles(FeedDirectory).Select(Path.GetFileName));
        Assert.True(PackagePath is not null, $"Expected exactly one .nupkg in {FeedDirectory}, found: [{found}]. {PackResult.Describe()}");
        return PackagePath;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Throttle.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No folder containing Throttle.sln above {AppContext.BaseDirectory}.");
    }
}
