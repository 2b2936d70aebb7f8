using System.IO;
using System.Reflection;
using System.Runtime.Loader;
using Xunit;

namespace Throttle.Generator.Tests;

/// <summary>Runs the generator on a source, compiles the result and loads it next to the tests' own Throttle.Runtime.</summary>
internal static class GeneratedAssembly
{
    public static Assembly Load(string source, string name)
    {
        var run = GeneratorHarness.Run(source);
        Assert.True(run.GeneratorDiagnostics.IsEmpty, run.Describe(run.GeneratorDiagnostics));
        Assert.True(run.OutputDiagnostics.Count == 0, run.Describe(run.OutputDiagnostics));
        using var stream = new MemoryStream();
        var emitted = run.Output.Emit(stream);
        Assert.True(emitted.Success, run.Describe(emitted.Diagnostics));
        stream.Position = 0;

        // Throttle.Runtime and the BCL resolve from the default context, so the generated code and the test share one
        // ThrottleRuntime type (and its AsyncLocal).
        return new AssemblyLoadContext("Throttle.Generator.Tests." + name, isCollectible: true).LoadFromStream(stream);
    }

    public static T Call<T>(object target, string method, params object?[] arguments) =>
        (T)target.GetType().GetMethod(method)!.Invoke(target, BindingFlags.DoNotWrapExceptions, binder: null, arguments, culture: null)!;
}
