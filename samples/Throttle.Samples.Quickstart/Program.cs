using System;
using System.Diagnostics;
using System.Threading.Tasks;
using Throttle;
using Throttle.Samples.Quickstart;

// In memory, no configuration: ThrottleRuntime.Current is an in-process runtime with the system clock.
var client = new WeatherClient();
var clock = Stopwatch.StartNew();

Console.WriteLine("12 forecasts through [RateLimit(5, Per = 1)]: the first 5 run at once, the rest at 5 per second.");
var forecasts = new Task<string>[12];
for (var i = 0; i < forecasts.Length; i++)
{
    forecasts[i] = client.GetForecastAsync(i % 2 == 0 ? "Oslo" : "Lima", default);
}

foreach (var forecast in forecasts)
{
    var text = await forecast;
    Console.WriteLine($"  {clock.Elapsed.TotalSeconds,5:0.00}s  {text}");
}

Console.WriteLine();
Console.WriteLine("Per-city limit [RateLimit(2, Key = nameof(city), MaxWaitSeconds = 0.2)], called 4 times for one city:");
for (var i = 0; i < 4; i++)
{
    try
    {
        Console.WriteLine($"  {client.GetTemperature("Oslo")}");
    }
    catch (RateLimitRejectedException rejected)
    {
        Console.WriteLine($"  rejected: retry after {rejected.RetryAfter.TotalMilliseconds:0} ms");
    }
}

Console.WriteLine($"  {client.GetTemperature("Lima")}  (another city has its own bucket)");
Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:0.00}s.");
