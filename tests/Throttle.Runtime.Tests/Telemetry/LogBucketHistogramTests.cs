using System;
using Throttle.Telemetry;
using Xunit;

namespace Throttle.Tests.Telemetry;

/// <summary>The percentile sketch against exact percentiles of known samples, and its memory bound.</summary>
public sealed class LogBucketHistogramTests
{
    private const int Million = 1_000_000;

    public static TheoryData<string> Distributions => new() { "uniform", "lognormal", "exponential", "wide" };

    [Theory]
    [MemberData(nameof(Distributions))]
    public void Percentiles_of_a_million_values_are_within_one_percent_of_the_exact_ones(string distribution)
    {
        var random = new Random(42);
        var values = new double[Million];
        var sketch = new LogBucketHistogram();
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = Sample(distribution, random);
            sketch.Record(values[i]);
        }

        Array.Sort(values);
        foreach (var q in new[] { 0.5, 0.95, 0.99, 0.999 })
        {
            var exact = values[(int)Math.Floor(q * (values.Length - 1))];
            var estimate = sketch.Quantile(q);
            var error = Math.Abs(estimate - exact) / exact;
            Assert.True(error <= LogBucketHistogram.RelativeAccuracy, $"{distribution} p{q * 100}: estimate {estimate}, exact {exact}, relative error {error:P3}");
        }

        Assert.Equal(Million, sketch.Count);
        var mean = 0.0;
        foreach (var v in values)
        {
            mean += v;
        }

        Assert.Equal(mean / Million, sketch.Mean, 1e-9 * mean / Million);
        Assert.Equal(values[0], sketch.Min);
        Assert.Equal(values[^1], sketch.Max);
    }

    [Fact]
    public void Memory_stays_constant_as_the_count_grows()
    {
        var random = new Random(7);
        var sketch = new LogBucketHistogram();
        for (var i = 0; i < 10_000; i++)
        {
            sketch.Record(Sample("lognormal", random));
        }

        var capacity = sketch.Capacity;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Million; i++)
        {
            // The same range as the warm-up: a constant-memory sketch allocates nothing more for it.
            sketch.Record(Math.Clamp(Sample("lognormal", random), sketch.Min, sketch.Max));
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(capacity, sketch.Capacity);
    }

    [Fact]
    public void Values_spanning_more_than_the_bucket_window_keep_the_high_percentiles_and_the_bound()
    {
        var sketch = new LogBucketHistogram();
        var values = new double[200_000];
        var random = new Random(3);
        for (var i = 0; i < values.Length; i++)
        {
            // 1e-9 to 1e21: far more than 2048 buckets at 1 % (which cover about 17 decades).
            values[i] = Math.Pow(10, -9 + (30 * random.NextDouble()));
            sketch.Record(values[i]);
        }

        Assert.True(sketch.Capacity <= LogBucketHistogram.MaxBuckets);
        Array.Sort(values);
        foreach (var q in new[] { 0.5, 0.95, 0.99 })
        {
            var exact = values[(int)Math.Floor(q * (values.Length - 1))];
            Assert.InRange(sketch.Quantile(q), exact * 0.99, exact * 1.01);
        }
    }

    [Fact]
    public void Zeros_and_an_empty_sketch()
    {
        var sketch = new LogBucketHistogram();
        Assert.True(double.IsNaN(sketch.Quantile(0.5)));
        Assert.True(double.IsNaN(sketch.Mean));

        for (var i = 0; i < 90; i++)
        {
            sketch.Record(0);
        }

        for (var i = 0; i < 10; i++)
        {
            sketch.Record(5);
        }

        Assert.Equal(0, sketch.Quantile(0.5));
        Assert.Equal(5, sketch.Quantile(0.95));
        Assert.Equal(0.5, sketch.Mean, 12);
    }

    private static double Sample(string distribution, Random random) => distribution switch
    {
        "uniform" => 1 + (999 * random.NextDouble()),
        "lognormal" => Math.Exp(3 + (1.5 * Gaussian(random))),
        "exponential" => -Math.Log(1 - random.NextDouble()) * 0.02,
        "wide" => Math.Pow(10, -6 + (10 * random.NextDouble())),
        _ => throw new ArgumentOutOfRangeException(nameof(distribution)),
    };

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
