using System;
using System.Threading;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Logging;

namespace Throttle.Benchmarks.Telemetry;

/// <summary>
/// Issue 13 item 3: with logging configured but Debug off (the usual production level), Throttle's logs add nothing to
/// a call: the generated <c>[RateLimit]</c> wrapper with a free permit, and with a rejection (which logs at Debug), each
/// on a runtime without a logger factory (the baseline) and on one with a real <see cref="LoggerFactory"/> at
/// Information whose provider counts what it is asked to write (setup checks it writes an Information line, and that
/// the measured calls wrote nothing). Goal: 0 B and no measurable time added.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class LoggingOverheadBenchmarks
{
    public const string FreePermit = "free permit";
    public const string Rejection = "rejection";
    public const string NoLogger = "[RateLimit] int, no logger factory";
    public const string DebugOff = "[RateLimit] int, logging at Information (Debug off)";

    private LoggingService _plain = null!;
    private LoggingService _logged = null!;
    private ILoggerFactory _factory = null!;
    private CountingLoggerProvider _provider = null!;

    [GlobalSetup]
    public void Setup()
    {
        _provider = new CountingLoggerProvider();
        _factory = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Information).AddProvider(_provider));
        _factory.CreateLogger("setup").Log(LogLevel.Information, default, "The provider is wired.", null, static (state, _) => state);
        if (_provider.Written != 1)
        {
            throw new InvalidOperationException("The counting provider did not receive an Information line: the logged rows would measure no logging.");
        }

        _plain = new LoggingService(new ThrottleRuntime());
        _logged = new LoggingService(new ThrottleRuntime(new ThrottleRuntimeOptions { LoggerFactory = _factory }));
        foreach (var service in new[] { _plain, _logged })
        {
            _ = service.Free();
            _ = service.Refused(); // takes the only permit
            if (RefusedAt(service) != -1)
            {
                throw new InvalidOperationException("The refusing method granted a second call.");
            }
        }

        _provider.Written = 0;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _factory.Dispose();
        if (_provider.Written != 0)
        {
            throw new InvalidOperationException($"The measured calls wrote {_provider.Written} log lines at Information or above.");
        }
    }

    [BenchmarkCategory(FreePermit), Benchmark(Baseline = true, Description = NoLogger)]
    public int FreeWithoutLogger() => _plain.Free();

    [BenchmarkCategory(FreePermit), Benchmark(Description = DebugOff)]
    public int FreeWithLogger() => _logged.Free();

    [BenchmarkCategory(Rejection), Benchmark(Baseline = true, Description = NoLogger)]
    public int RefusedWithoutLogger() => RefusedAt(_plain);

    [BenchmarkCategory(Rejection), Benchmark(Description = DebugOff)]
    public int RefusedWithLogger() => RefusedAt(_logged);

    private static int RefusedAt(LoggingService service)
    {
        try
        {
            return service.Refused();
        }
        catch (RateLimitRejectedException)
        {
            return -1;
        }
    }

    /// <summary>Counts the lines it is asked to write; asked only for enabled levels.</summary>
    private sealed class CountingLoggerProvider : ILoggerProvider, ILogger
    {
        private int _written;

        public int Written
        {
            get => Volatile.Read(ref _written);
            set => Volatile.Write(ref _written, value);
        }

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Interlocked.Increment(ref _written);

        public void Dispose()
        {
        }
    }
}
