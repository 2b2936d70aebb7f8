using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Throttle.Analyzers.Tests;

/// <summary>ASP.NET Core's assemblies from the shared framework the tests run on (FrameworkReference in the project): no download.</summary>
internal static class AspNetReferences
{
    public static readonly ImmutableArray<MetadataReference> All = Directory
        .GetFiles(Path.GetDirectoryName(typeof(Microsoft.AspNetCore.Mvc.ControllerBase).Assembly.Location)!, "Microsoft.*.dll")
        .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
        .ToImmutableArray();
}
