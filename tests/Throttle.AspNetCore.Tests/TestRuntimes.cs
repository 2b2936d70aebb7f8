using Throttle.AspNetCore.TestApp;
using Throttle.Testing;

namespace Throttle.AspNetCore.Tests;

/// <summary>The runtimes the tests give the app: in memory on a fake clock, with the limiters its policies name.</summary>
public static class TestRuntimes
{
    public static ThrottleRuntime InMemory(TestClock clock) =>
        TestAppRuntime.Create(new ThrottleRuntimeOptions { TimeProvider = clock });
}
