using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Throttle.Infrastructure;
using Throttle.Policies;
using Xunit;

namespace Throttle.Generator.Tests.Parsing;

/// <summary>
/// Boundary values of every numeric option of every aspect, run through the generator (an attribute in a compiled
/// snippet) and through the runtime (the options handed to the site's constructor). Both must agree: the attribute gets
/// a THR error exactly when the site throws, the first diagnostic has the exception's message, the exception names the
/// option, and the diagnostics are exactly the problems of the shared <c>Validate()</c> (README "Where defaults and bounds live").
/// </summary>
public sealed class OptionAgreementTests
{
    // The diagnostics that report option problems (src/Throttle.Runtime/Policies/OptionRules.cs).
    private static readonly HashSet<string> s_optionIds = ["THR009", "THR101", "THR102", "THR106", "THR107", "THR108", "THR109"];

    private static readonly double[] s_commonDoubles = [0, -1, double.NaN, double.PositiveInfinity, double.NegativeInfinity, double.Epsilon, 1e300];

    private static readonly int[] s_commonInts = [0, -1, int.MinValue];

    /// <summary>Each aspect's numeric options with their minimum (inclusive, when it has one), maximum and a normal value.</summary>
    private static readonly (string Aspect, string Option, double? Min, double? Max, double Normal)[] s_doubleOptions =
    [
        ("RateLimit", nameof(RateLimitOptions.Rate), RateLimitOptions.MinCapacity, null, 10),
        ("RateLimit", nameof(RateLimitOptions.Per), RateLimitOptions.MinPer, RateLimitOptions.MaxPer, 2.5),
        ("RateLimit", nameof(RateLimitOptions.Burst), RateLimitOptions.MinCapacity, null, 20),
        ("RateLimit", nameof(RateLimitOptions.MaxWaitSeconds), 0, null, 1.5),
        ("CircuitBreaker", nameof(CircuitBreakerOptions.BreakSeconds), null, CircuitBreakerOptions.MaxBreakSeconds, 30),
        ("Retry", nameof(RetryOptions.BaseDelaySeconds), null, null, 0.5),
        ("Retry", nameof(RetryOptions.MaxDelaySeconds), null, RetryOptions.MaxDelayLimitSeconds, 120),
        ("Retry", nameof(RetryOptions.ExponentialBase), RetryOptions.MinExponentialBase, null, 3),
        ("DistributedSemaphore", nameof(DistributedSemaphoreOptions.AcquireTimeoutSeconds), null, null, 5),
        ("DistributedSemaphore", nameof(DistributedSemaphoreOptions.LeaseSeconds), DistributedSemaphoreOptions.MinLeaseSeconds, DistributedSemaphoreOptions.MaxLeaseSeconds, 10),
        ("DistributedSemaphore", nameof(DistributedSemaphoreOptions.AcquireSleepDelaySeconds), null, DistributedSemaphoreOptions.MaxAcquireSleepDelaySeconds, 0.5),
    ];

    private static readonly (string Aspect, string Option, int Min, int Normal)[] s_intOptions =
    [
        ("Queued", nameof(QueuedOptions.Workers), QueuedOptions.MinWorkers, 4),
        ("Queued", nameof(QueuedOptions.MaxSize), QueuedOptions.MinMaxSize, 100),
        ("CircuitBreaker", nameof(CircuitBreakerOptions.FailureThreshold), CircuitBreakerOptions.MinFailureThreshold, 3),
        ("Retry", nameof(RetryOptions.MaxRetries), RetryOptions.MinMaxRetries, 2),
        ("DistributedSemaphore", nameof(DistributedSemaphoreOptions.Value), DistributedSemaphoreOptions.MinValue, 3),
    ];

    public static TheoryData<string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (aspect, option, min, max, normal) in s_doubleOptions)
        {
            var values = new List<double>(s_commonDoubles) { normal };
            if (min is { } low)
            {
                values.Add(low);
                values.Add(BitDecrement(low));
            }

            if (max is { } high)
            {
                values.Add(high);
                values.Add(high * 2);
            }

            foreach (var value in values.Distinct())
            {
                data.Add(aspect, option, Literal(value));
            }
        }

        foreach (var (aspect, option, min, normal) in s_intOptions)
        {
            foreach (var value in s_commonInts.Concat([min, min - 1, normal]).Distinct())
            {
                data.Add(aspect, option, value.ToString(CultureInfo.InvariantCulture));
            }
        }

        // The options that are not numbers but share the same validation.
        data.Add("RateLimit", nameof(RateLimitOptions.Strategy), "(RateLimitStrategy)7");
        data.Add("RateLimit", nameof(RateLimitOptions.Strategy), "RateLimitStrategy.LeakyBucket");
        data.Add("RateLimit", nameof(RateLimitOptions.Scope), "\"\"");
        data.Add("RateLimit", nameof(RateLimitOptions.Scope), "\"  \"");
        data.Add("RateLimit", nameof(RateLimitOptions.Scope), "\"shared\"");
        data.Add("Queued", nameof(QueuedOptions.Queue), "\" \"");
        data.Add("CircuitBreaker", nameof(CircuitBreakerOptions.Name), "\"\"");
        data.Add("DistributedSemaphore", nameof(DistributedSemaphoreOptions.Key), "\"\"");
        data.Add("DistributedSemaphore", nameof(DistributedSemaphoreOptions.Key), "\"db\"");
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void GeneratorAndRuntimeAgree(string aspect, string option, string literal)
    {
        var (attribute, returns) = Attribute(aspect, option, literal);
        var source = $$"""
            using System.Threading.Tasks;
            using Throttle;

            public partial class Client
            {
                {{attribute}}
                public partial {{returns}} FetchAsync();

                private {{returns}} FetchCoreAsync() => {{returns}}.CompletedTask;
            }
            """;
        var run = GeneratorHarness.Run(source);
        var diagnostics = run.GeneratorDiagnostics.Where(d => s_optionIds.Contains(d.Id)).ToList();

        var options = Options(aspect, option, literal);
        var problems = Validate(options);
        var error = Record.Exception(() => Construct(aspect, options));

        // Valid in one iff valid in the other, with the same problems.
        Assert.Equal(problems.Select(p => p.Message).Order(), diagnostics.Select(d => d.GetMessage(CultureInfo.InvariantCulture)).Order());
        Assert.Equal(problems.Select(p => p.DiagnosticId).Order(), diagnostics.Select(d => d.Id).Order());
        if (problems.Count == 0)
        {
            Assert.Null(error);
            Assert.Single(run.Sources);
            return;
        }

        // The runtime throws the first problem, naming the option, in the same words as the diagnostic.
        var argumentError = Assert.IsAssignableFrom<ArgumentException>(error);
        Assert.Equal(problems[0].Option, argumentError.ParamName);
        Assert.Equal(problems[0].Message + $" (Parameter '{problems[0].Option}')", argumentError.Message);
        Assert.Empty(run.Sources);

        // Every diagnostic sits on the argument that set its option: here, the literal under test.
        foreach (var diagnostic in diagnostics)
        {
            Assert.Equal(literal, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        }

        // The option under test is the one blamed (a bucket below one call is blamed on Rate or Burst, whichever set it).
        Assert.Contains(problems, p => p.Option == option);
    }

    private static (string Attribute, string Returns) Attribute(string aspect, string option, string literal) => aspect switch
    {
        "RateLimit" when option == nameof(RateLimitOptions.Rate) => ($"[RateLimit({literal})]", "Task"),
        "RateLimit" => ($"[RateLimit(5, {option} = {literal})]", "Task"),
        "Queued" => ($"[Queued({option} = {literal})]", "Task"),
        "CircuitBreaker" => ($"[CircuitBreaker({option} = {literal})]", "Task"),
        "Retry" => ($"[Retry({option} = {literal})]", "Task"),
        "DistributedSemaphore" when option == nameof(DistributedSemaphoreOptions.Key) => ($"[DistributedSemaphore({literal}, 3, AcquireTimeoutSeconds = 5)]", "Task"),
        "DistributedSemaphore" when option == nameof(DistributedSemaphoreOptions.Value) => ($"[DistributedSemaphore(\"db\", {literal}, AcquireTimeoutSeconds = 5)]", "Task"),
        "DistributedSemaphore" when option == nameof(DistributedSemaphoreOptions.AcquireTimeoutSeconds) => ($"[DistributedSemaphore(\"db\", 3, AcquireTimeoutSeconds = {literal})]", "Task"),
        "DistributedSemaphore" => ($"[DistributedSemaphore(\"db\", 3, AcquireTimeoutSeconds = 5, {option} = {literal})]", "Task"),
        _ => throw new ArgumentOutOfRangeException(nameof(aspect), aspect, null),
    };

    /// <summary>The runtime options the attribute stands for: the same base values, then the option under test.</summary>
    private static object Options(string aspect, string option, string literal)
    {
        object options = aspect switch
        {
            "RateLimit" => new RateLimitOptions { Rate = 5 },
            "Queued" => new QueuedOptions(),
            "CircuitBreaker" => new CircuitBreakerOptions(),
            "Retry" => new RetryOptions(),
            "DistributedSemaphore" => new DistributedSemaphoreOptions { Key = "db", Value = 3, AcquireTimeoutSeconds = 5 },
            _ => throw new ArgumentOutOfRangeException(nameof(aspect), aspect, null),
        };
        var property = options.GetType().GetProperty(option) ?? throw new InvalidOperationException($"{aspect} has no option {option}");
        property.SetValue(options, Parse(literal, property.PropertyType));
        return options;
    }

    private static IReadOnlyList<OptionProblem> Validate(object options) => options switch
    {
        RateLimitOptions o => o.Validate(),
        QueuedOptions o => o.Validate(),
        CircuitBreakerOptions o => o.Validate(),
        RetryOptions o => o.Validate(),
        DistributedSemaphoreOptions o => o.Validate(),
        _ => throw new ArgumentOutOfRangeException(nameof(options)),
    };

    private static object Construct(string aspect, object options) => aspect switch
    {
        "RateLimit" => new RateLimitSite("Client.FetchAsync()", (RateLimitOptions)options),
        "Queued" => new QueuedSite("Client.FetchAsync()", (QueuedOptions)options),
        "CircuitBreaker" => new ResilienceSite("Client.FetchAsync()", (CircuitBreakerOptions)options, null),
        "Retry" => new ResilienceSite("Client.FetchAsync()", null, (RetryOptions)options),
        "DistributedSemaphore" => new DistributedSemaphoreSite("Client.FetchAsync()", (DistributedSemaphoreOptions)options),
        _ => throw new ArgumentOutOfRangeException(nameof(aspect), aspect, null),
    };

    private static object? Parse(string literal, Type type)
    {
        if (type == typeof(string))
        {
            return literal.Trim('"');
        }

        if (type == typeof(RateLimitStrategy))
        {
            return literal.StartsWith("(RateLimitStrategy)", StringComparison.Ordinal)
                ? (RateLimitStrategy)int.Parse(literal["(RateLimitStrategy)".Length..], CultureInfo.InvariantCulture)
                : Enum.Parse<RateLimitStrategy>(literal["RateLimitStrategy.".Length..]);
        }

        if (type == typeof(int))
        {
            return int.Parse(literal, CultureInfo.InvariantCulture);
        }

        return literal switch
        {
            "double.NaN" => double.NaN,
            "double.PositiveInfinity" => double.PositiveInfinity,
            "double.NegativeInfinity" => double.NegativeInfinity,
            "double.Epsilon" => double.Epsilon,
            _ => double.Parse(literal, CultureInfo.InvariantCulture),
        };
    }

    private static string Literal(double value) => value switch
    {
        double.NaN => "double.NaN",
        double.PositiveInfinity => "double.PositiveInfinity",
        double.NegativeInfinity => "double.NegativeInfinity",
        double.Epsilon => "double.Epsilon",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    // The largest double below the minimum, so "just below" is as close as a double can be.
    private static double BitDecrement(double value) => value == 0 ? -double.Epsilon : Math.BitDecrement(value);
}
