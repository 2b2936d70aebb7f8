using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;

namespace Throttle.Analyzers.Tests.CodeFixes;

/// <summary>
/// The checks every test of a generator diagnostic's fix makes (through <see cref="CodeFixHarness"/>): the fixed text is
/// exactly the expected one and compiles without a Throttle diagnostic, or the fix offers nothing.
/// </summary>
/// <typeparam name="TFix">The fix under test.</typeparam>
/// <param name="id">The generator diagnostic it fixes.</param>
public abstract class CodeFixTests<TFix>(string id)
    where TFix : CodeFixProvider, new()
{
    /// <summary>
    /// A snippet file: <c>using</c> each of <paramref name="usings"/> and <c>Throttle</c>, then the type
    /// <paramref name="declaration"/> (such as <c>public partial class Counter</c>) with <paramref name="members"/>.
    /// </summary>
    protected static string InType(string declaration, string members, params string[] usings)
    {
        var indented = string.Join("\n", members.Split('\n').Select(line => line.Length == 0 ? line : "    " + line));
        var imports = string.Concat(usings.Append("Throttle").Select(name => $"using {name};\n"));
        return $"{imports}\n{declaration}\n{{\n{indented}\n}}";
    }

    /// <summary>
    /// A <c>GitHubClient</c> snippet: the type with an <c>HttpClient</c> field, then <paramref name="members"/>.
    /// </summary>
    protected static string InGitHubClient(string members) => InType(
        "public partial class GitHubClient",
        "private readonly HttpClient _http = new();\n\n" + members,
        "System.Net.Http", "System.Threading", "System.Threading.Tasks");

    /// <summary>The fix turns <paramref name="source"/> into exactly <paramref name="expected"/>, which compiles cleanly.</summary>
    protected async Task VerifyFixAsync(string source, string expected)
    {
        var actual = await CodeFixHarness.ApplyAsync(new TFix(), id, source);

        Assert.Equal(expected, actual);
        await CodeFixHarness.AssertCleanAsync(actual);
    }

    /// <summary>Fix All in <paramref name="scope"/> turns <paramref name="source"/> into exactly <paramref name="expected"/>, which compiles cleanly.</summary>
    protected async Task VerifyFixAllAsync(string source, string expected, FixAllScope scope)
    {
        var actual = await CodeFixHarness.FixAllAsync(new TFix(), id, source, scope);

        Assert.Equal(expected, actual);
        await CodeFixHarness.AssertCleanAsync(actual);
    }

    /// <summary>The generator reports the diagnostic on <paramref name="source"/> and the fix offers nothing for it.</summary>
    protected Task VerifyNoFixAsync(string source) => CodeFixHarness.AssertNoFixAsync(new TFix(), id, source);
}
