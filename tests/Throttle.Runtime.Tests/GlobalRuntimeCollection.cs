using System;
using System.Reflection;
using Xunit;

namespace Throttle.Tests;

/// <summary>Tests that change or depend on the process-wide runtime (<see cref="ThrottleRuntime.Configure"/>) run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRuntimeCollection
{
    public const string Name = "Process-wide ThrottleRuntime";
}

/// <summary>Saves the process-wide runtime and puts it back (including "none configured", which Configure cannot express).</summary>
internal sealed class ConfiguredRuntimeRestorer : IDisposable
{
    private static readonly FieldInfo ConfiguredField =
        typeof(ThrottleRuntime).GetField("s_configured", BindingFlags.Static | BindingFlags.NonPublic)
        ?? throw new InvalidOperationException("ThrottleRuntime.s_configured not found; update the test helper.");

    private readonly object? _saved = ConfiguredField.GetValue(null);

    public static void ClearConfigured() => ConfiguredField.SetValue(null, null);

    public void Dispose() => ConfiguredField.SetValue(null, _saved);
}
