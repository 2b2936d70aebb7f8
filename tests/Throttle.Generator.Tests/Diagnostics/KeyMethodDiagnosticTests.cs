using Xunit;
using static Throttle.Generator.Tests.Diagnostics.DiagnosticTests;

namespace Throttle.Generator.Tests.Diagnostics;

/// <summary>
/// <c>[RateLimit(KeyMethod = ...)]</c> and <c>Storage</c>, checked at compile time: the key method must exist, take a
/// subset of the method's parameters (same names and types), return a key, and be callable from the wrapper.
/// </summary>
public sealed class KeyMethodDiagnosticTests
{
    [Fact]
    public void THR111_KeyAndKeyMethod() => AssertSingle("THR111", """
        public sealed record Order(string Tenant);

        public partial class Client
        {
            [RateLimit(5, Key = nameof(order), KeyMethod = [|nameof(TenantOf)|])]
            public partial Task PlaceAsync(Order order);

            private Task PlaceCoreAsync(Order order) => Task.CompletedTask;
            private static string TenantOf(Order order) => order.Tenant;
        }
        """, "nameof(TenantOf)", "sets both Key and KeyMethod");

    [Fact]
    public void THR112_KeyMethodNotFound() => AssertSingle("THR112", """
        public partial class Client
        {
            [RateLimit(5, KeyMethod = [|"TenantOf"|])]
            public partial Task PlaceAsync(string tenant);

            private Task PlaceCoreAsync(string tenant) => Task.CompletedTask;
        }
        """, "\"TenantOf\"", "KeyMethod 'TenantOf' does not name a method of 'Client'");

    [Fact]
    public void THR113_KeyMethodParameterNotOfTheMethod() => AssertSingle("THR113", """
        public partial class Client
        {
            [RateLimit(5, KeyMethod = [|nameof(TenantOf)|])]
            public partial Task PlaceAsync(string tenant);

            private Task PlaceCoreAsync(string tenant) => Task.CompletedTask;
            private static string TenantOf(string customer) => customer;
        }
        """, "nameof(TenantOf)", "'customer' is not a parameter of 'PlaceAsync' (it has tenant)");

    [Fact]
    public void THR113_KeyMethodParameterOfAnotherType() => AssertSingle("THR113", """
        public partial class Client
        {
            [RateLimit(5, KeyMethod = [|nameof(TenantOf)|])]
            public partial Task PlaceAsync(string tenant, int id);

            private Task PlaceCoreAsync(string tenant, int id) => Task.CompletedTask;
            private static string TenantOf(long id) => id.ToString();
        }
        """, "nameof(TenantOf)", "'id' is 'long' here but 'int' in 'PlaceAsync'");

    [Fact]
    public void THR113_KeyMethodRefParameter() => AssertSingle("THR113", """
        public partial class Client
        {
            [RateLimit(5, KeyMethod = [|nameof(TenantOf)|])]
            public partial Task PlaceAsync(string tenant);

            private Task PlaceCoreAsync(string tenant) => Task.CompletedTask;
            private static string TenantOf(ref string tenant) => tenant;
        }
        """, "nameof(TenantOf)", "'tenant' is passed by 'ref'");

    [Theory]
    [InlineData("void", "{ }", "'void'")]
    [InlineData("Task<string>", "=> Task.FromResult(tenant);", "'Task<string>'")]
    [InlineData("ValueTask<string>", "=> new(tenant);", "'ValueTask<string>'")]
    [InlineData("Span<char>", "=> default;", "'Span<char>'")]
    public void THR114_KeyMethodReturnsNoKey(string returnType, string body, string shown) => AssertSingle("THR114", $$"""
        public partial class Client
        {
            [RateLimit(5, KeyMethod = [|nameof(TenantOf)|])]
            public partial Task PlaceAsync(string tenant);

            private Task PlaceCoreAsync(string tenant) => Task.CompletedTask;
            private static {{returnType}} TenantOf(string tenant) {{body}}
        }
        """, "nameof(TenantOf)", "KeyMethod 'TenantOf' returns " + shown);

    [Fact]
    public void THR115_InstanceKeyMethodOfStaticMethod() => AssertSingle("THR115", """
        public partial class Client
        {
            [RateLimit(5, KeyMethod = [|nameof(TenantOf)|])]
            public static partial Task PlaceAsync(string tenant);

            private static Task PlaceCoreAsync(string tenant) => Task.CompletedTask;
            private string TenantOf(string tenant) => tenant;
        }
        """, "nameof(TenantOf)", "it is an instance method and 'PlaceAsync' is static");

    [Fact]
    public void THR115_PrivateKeyMethodOfBaseType() => AssertSingle("THR115", """
        public class Base
        {
            private static string TenantOf(string tenant) => tenant;
        }

        public partial class Client : Base
        {
            [RateLimit(5, KeyMethod = [|"TenantOf"|])]
            public partial Task PlaceAsync(string tenant);

            private Task PlaceCoreAsync(string tenant) => Task.CompletedTask;
        }
        """, "\"TenantOf\"", "it is private in 'Base'");

    [Fact]
    public void THR115_GenericKeyMethod() => AssertSingle("THR115", """
        public partial class Client
        {
            [RateLimit(5, KeyMethod = [|nameof(TenantOf)|])]
            public partial Task PlaceAsync(string tenant);

            private Task PlaceCoreAsync(string tenant) => Task.CompletedTask;
            private static string TenantOf<T>(string tenant) => tenant;
        }
        """, "nameof(TenantOf)", "it is generic");

    [Fact]
    public void THR115_TwoOverloadsFit() => AssertSingle("THR115", """
        public partial class Client
        {
            [RateLimit(5, KeyMethod = [|nameof(TenantOf)|])]
            public partial Task PlaceAsync(string tenant, int id);

            private Task PlaceCoreAsync(string tenant, int id) => Task.CompletedTask;
            private static string TenantOf(string tenant) => tenant;
            private static int TenantOf(int id) => id;
        }
        """, "nameof(TenantOf)", "2 overloads fit");

    [Fact]
    public void OverloadThatFitsIsChosen()
    {
        var run = GeneratorHarness.Run("""
            using System.Threading.Tasks;
            using Throttle;

            public partial class Client
            {
                [RateLimit(5, KeyMethod = nameof(TenantOf))]
                public partial Task PlaceAsync(string tenant);

                private Task PlaceCoreAsync(string tenant) => Task.CompletedTask;
                private static string TenantOf(int id) => id.ToString();
                private static string TenantOf(string tenant) => tenant;
            }
            """);
        Assert.Empty(run.GeneratorDiagnostics);
        Assert.True(run.OutputDiagnostics.Count == 0, run.Describe(run.OutputDiagnostics));
        Assert.Contains("TenantOf(__throttleState", Assert.Single(run.Sources).Text, System.StringComparison.Ordinal);
    }

    [Fact]
    public void THR107_BlankKeyMethod() => AssertSingle("THR107", """
        public partial class Client
        {
            [RateLimit(5, KeyMethod = [|" "|])]
            public partial Task PlaceAsync(string tenant);

            private Task PlaceCoreAsync(string tenant) => Task.CompletedTask;
        }
        """, "\" \"", "KeyMethod must not be empty");

    [Fact]
    public void THR107_BlankStorage() => AssertSingle("THR107", """
        public partial class Client
        {
            [RateLimit(5, Storage = [|""|])]
            public partial Task PlaceAsync(string tenant);

            private Task PlaceCoreAsync(string tenant) => Task.CompletedTask;
        }
        """, "\"\"", "Storage must not be empty");

    [Fact]
    public void THR105_StorageWithNamedLimiter() => AssertSingle("THR105", """
        public partial class Client
        {
            [RateLimit(Limiter = "api", Storage = [|"redis"|])]
            public partial Task PlaceAsync(string tenant);

            private Task PlaceCoreAsync(string tenant) => Task.CompletedTask;
        }
        """, "\"redis\"", "remove Storage");
}
