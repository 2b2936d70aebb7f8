using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using System.Xml.Linq;
using Xunit;

namespace Throttle.Package.Tests;

/// <summary>The Throttle package: its layout and metadata, and a fresh project that installs it and uses [RateLimit].</summary>
public sealed partial class PackageTests(PackedPackageFixture package) : IClassFixture<PackedPackageFixture>
{
    private static readonly string[] TargetFrameworks = ["net8.0", "net10.0"];

    [Fact]
    public void Package_contains_runtime_attributes_docs_generator_and_code_fixes()
    {
        var path = package.RequirePackage();
        using var zip = ZipFile.OpenRead(path);
        var entries = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        var listing = string.Join(Environment.NewLine, entries.Order(StringComparer.Ordinal));

        var expected = new List<string> { "analyzers/dotnet/cs/Throttle.Generator.dll", "analyzers/dotnet/cs/Throttle.Analyzers.dll", "README.md" };
        foreach (var tfm in TargetFrameworks)
        {
            expected.Add($"lib/{tfm}/Throttle.Runtime.dll");
            expected.Add($"lib/{tfm}/Throttle.Runtime.xml");
            expected.Add($"lib/{tfm}/Throttle.Attributes.dll");
            expected.Add($"lib/{tfm}/Throttle.Attributes.xml");
        }

        var missing = expected.Where(e => !entries.Contains(e)).ToList();
        Assert.True(missing.Count == 0, $"Missing from {Path.GetFileName(path)}: {string.Join(", ", missing)}{Environment.NewLine}Package contents:{Environment.NewLine}{listing}");

        // The generator is an analyzer only: never a compile or runtime reference.
        var generatorOutsideAnalyzers = entries
            .Where(e => e.EndsWith("Throttle.Generator.dll", StringComparison.OrdinalIgnoreCase) && !e.StartsWith("analyzers/", StringComparison.Ordinal))
            .ToList();
        Assert.True(generatorOutsideAnalyzers.Count == 0, $"Generator packed outside analyzers/: {string.Join(", ", generatorOutsideAnalyzers)}");
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Generator", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(entries, e => e.StartsWith("lib/", StringComparison.Ordinal) && e.Contains("Throttle.Analyzers", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(entries, e => e.StartsWith("analyzers/", StringComparison.Ordinal) && e.EndsWith(".dll", StringComparison.Ordinal)
            && !e.EndsWith("/Throttle.Generator.dll", StringComparison.Ordinal) && !e.EndsWith("/Throttle.Analyzers.dll", StringComparison.Ordinal));
    }

    [Fact]
    public void Nuspec_has_license_repository_readme_and_no_internal_package_dependencies()
    {
        var path = package.RequirePackage();
        var nuspec = ReadNuspec(path);
        var ns = nuspec.Root!.Name.Namespace;
        var metadata = nuspec.Root.Element(ns + "metadata");
        Assert.NotNull(metadata);
        var text = nuspec.ToString();

        Assert.Equal("Throttle", metadata.Element(ns + "id")?.Value);

        var license = metadata.Element(ns + "license");
        Assert.True(license is not null, "nuspec has no <license>:" + Environment.NewLine + text);
        Assert.Equal("expression", license.Attribute("type")?.Value);
        Assert.Equal("MIT", license.Value);

        Assert.Equal("README.md", metadata.Element(ns + "readme")?.Value);

        var repository = metadata.Element(ns + "repository");
        Assert.True(repository is not null, "nuspec has no <repository> (source link / repository metadata):" + Environment.NewLine + text);
        Assert.Equal("git", repository.Attribute("type")?.Value);
        Assert.StartsWith("https://", repository.Attribute("url")?.Value ?? string.Empty, StringComparison.Ordinal);

        var dependencies = metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")?.Value ?? string.Empty).ToList();
        Assert.DoesNotContain(dependencies, id => id.Equals("Throttle.Attributes", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(dependencies, id => id.Equals("Throttle.Generator", StringComparison.OrdinalIgnoreCase));

        // Both target frameworks are declared (even with no dependencies), so NuGet picks the right lib/ folder.
        var groups = metadata.Descendants(ns + "group").Select(g => g.Attribute("targetFramework")?.Value).ToList();
        foreach (var tfm in TargetFrameworks)
        {
            Assert.Contains(tfm, groups);
        }
    }

    [Fact]
    public async Task Fresh_consumer_project_restores_the_package_and_rate_limits()
    {
        var path = package.RequirePackage();
        var version = ReadNuspec(path).Root!.Descendants().First(e => e.Name.LocalName == "version").Value;

        var (consumer, environment, nugetConfig) = await PrepareConsumerAsync("consumer", ConsumerProject(version, treatWarningsAsErrors: true),
            ("Limited.cs", LimitedSource), ("Program.cs", ProgramSource));
        var packagesFolder = environment["NUGET_PACKAGES"];

        var build = await DotNetCli.RunAsync(consumer, environment, DotNetCli.DefaultTimeout, "build", "-c", "Release", "-nodeReuse:false");
        Assert.True(build.Succeeded, "Consumer build failed: " + build.Describe() + Environment.NewLine + "nuget.config:" + Environment.NewLine + nugetConfig);

        var restored = Path.Combine(packagesFolder, "throttle", version.ToLowerInvariant());
        Assert.True(Directory.Exists(restored), $"Throttle {version} was not restored into the isolated cache {packagesFolder}. {build.Describe()}");

        var run = await DotNetCli.RunAsync(consumer, environment, DotNetCli.DefaultTimeout, "run", "-c", "Release", "--no-build");
        Assert.True(run.Succeeded, "Consumer run failed: " + run.Describe());
        Assert.True(run.StandardOutput.Trim() == "ok,ok,rejected", "Unexpected consumer output: " + run.Describe());
    }

    [Fact]
    public async Task Fresh_consumer_project_gets_the_pitfall_analyzers_from_the_package()
    {
        var path = package.RequirePackage();
        var version = ReadNuspec(path).Root!.Descendants().First(e => e.Name.LocalName == "version").Value;
        var (consumer, environment, _) = await PrepareConsumerAsync("pitfall-consumer", ConsumerProject(version, treatWarningsAsErrors: false), ("Pitfalls.cs", PitfallSource));

        var build = await DotNetCli.RunAsync(consumer, environment, DotNetCli.DefaultTimeout, "build", "-c", "Release", "-nodeReuse:false");
        Assert.True(build.Succeeded, "Pitfall consumer build failed: " + build.Describe());

        // Only Throttle.Analyzers.dll from the package's analyzers/dotnet/cs reports these: the project references nothing else.
        foreach (var expected in new[] { "Pitfalls.cs(12,20): warning THR901", "Pitfalls.cs(15,9): warning THR903" })
        {
            Assert.True(build.StandardOutput.Contains(expected, StringComparison.Ordinal), $"Expected '{expected}' in the build output: {build.Describe()}");
        }
    }

    /// <summary>A new project folder with its own empty package cache and a nuget.config that takes Throttle from the feed alone.</summary>
    private async Task<(string Directory, Dictionary<string, string> Environment, string NuGetConfig)> PrepareConsumerAsync(
        string name, string project, params (string Name, string Text)[] files)
    {
        var consumer = Path.Combine(package.WorkDirectory, name);
        var packagesFolder = Path.Combine(package.WorkDirectory, name + "-nuget-packages");
        Directory.CreateDirectory(consumer);
        Directory.CreateDirectory(packagesFolder);
        var environment = new Dictionary<string, string>
        {
            // An empty cache of its own: a stale Throttle package cached earlier can never be picked up.
            ["NUGET_PACKAGES"] = packagesFolder,
        };

        // Keep the sources this machine is configured with (for anything besides Throttle), add the feed,
        // and map the package id Throttle to the feed alone so a same-named package elsewhere cannot win.
        var sourcesResult = await DotNetCli.RunAsync(consumer, environment, DotNetCli.DefaultTimeout, "nuget", "list", "source");
        Assert.True(sourcesResult.Succeeded, sourcesResult.Describe());
        var nugetConfig = NuGetConfig(package.FeedDirectory, ParseEnabledSources(sourcesResult.StandardOutput));

        await File.WriteAllTextAsync(Path.Combine(consumer, "nuget.config"), nugetConfig);
        await File.WriteAllTextAsync(Path.Combine(consumer, name + ".csproj"), project);
        foreach (var (fileName, text) in files)
        {
            await File.WriteAllTextAsync(Path.Combine(consumer, fileName), text);
        }

        Assert.False(File.Exists(Path.Combine(Path.GetDirectoryName(consumer)!, "Directory.Build.props")));
        return (consumer, environment, nugetConfig);
    }

    private static XDocument ReadNuspec(string nupkg)
    {
        using var zip = ZipFile.OpenRead(nupkg);
        var entry = zip.Entries.Single(e => !e.FullName.Contains('/', StringComparison.Ordinal) && e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = entry.Open();
        return XDocument.Load(stream);
    }

    /// <summary>Parses `dotnet nuget list source`: "  1.  nuget.org [Enabled]" followed by an indented URL line.</summary>
    private static List<(string Name, string Url)> ParseEnabledSources(string output)
    {
        var sources = new List<(string, string)>();
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        for (var i = 0; i < lines.Length - 1; i++)
        {
            var match = SourceHeader().Match(lines[i]);
            if (match.Success && match.Groups["state"].Value == "Enabled")
            {
                sources.Add((match.Groups["name"].Value, lines[i + 1].Trim()));
            }
        }

        return sources;
    }

    [GeneratedRegex(@"^\s*\d+\.\s+(?<name>.+?)\s+\[(?<state>Enabled|Disabled)\]\s*$")]
    private static partial Regex SourceHeader();

    private static string NuGetConfig(string feed, List<(string Name, string Url)> machineSources)
    {
        var sources = string.Concat(machineSources.Select(s => $"""    <add key="{Escape(s.Name)}" value="{Escape(s.Url)}" />{Environment.NewLine}"""));
        var mappings = string.Concat(machineSources.Select(s =>
            $"""    <packageSource key="{Escape(s.Name)}">{Environment.NewLine}      <package pattern="*" />{Environment.NewLine}    </packageSource>{Environment.NewLine}"""));
        return $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="throttle-local-feed" value="{Escape(feed)}" />
            {sources}  </packageSources>
              <packageSourceMapping>
                <packageSource key="throttle-local-feed">
                  <package pattern="Throttle" />
                </packageSource>
            {mappings}  </packageSourceMapping>
            </configuration>
            """;
    }

    private static string Escape(string value) => new XText(value).ToString().Replace("\"", "&quot;", StringComparison.Ordinal);

    private static string ConsumerProject(string version, bool treatWarningsAsErrors) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <ImplicitUsings>disable</ImplicitUsings>
            <TreatWarningsAsErrors>{(treatWarningsAsErrors ? "true" : "false")}</TreatWarningsAsErrors>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Throttle" Version="[{version}]" />
          </ItemGroup>
        </Project>
        """;

    private const string LimitedSource = """
        using System.Threading;
        using System.Threading.Tasks;
        using Throttle;

        namespace Consumer;

        public sealed partial class Limited
        {
            [RateLimit(2, Per = 1, MaxWaitSeconds = 0)]
            public partial Task<string> CallAsync(CancellationToken cancellationToken);

            private Task<string> CallCoreAsync(CancellationToken cancellationToken) => Task.FromResult("ok");
        }
        """;

    /// <summary>Hand-written pitfalls: a semaphore made in the call that waits on it (THR901), released outside a finally (THR903).</summary>
    private const string PitfallSource = """
        using System.Threading;
        using System.Threading.Tasks;

        namespace Consumer;

        public static class Pitfalls
        {
            public static void Main() { }

            public static async Task<int> FetchAsync(CancellationToken cancellationToken)
            {
                var gate = new SemaphoreSlim(2);
                await gate.WaitAsync(cancellationToken);
                await Task.Delay(1, cancellationToken);
                gate.Release();
                return 1;
            }
        }
        """;

    private const string ProgramSource = """
        using System;
        using System.Collections.Generic;
        using Consumer;
        using Throttle;

        var limited = new Limited();
        var results = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            try
            {
                results.Add(await limited.CallAsync(default));
            }
            catch (RateLimitRejectedException)
            {
                results.Add("rejected");
            }
        }

        Console.WriteLine(string.Join(",", results));
        """;
}
