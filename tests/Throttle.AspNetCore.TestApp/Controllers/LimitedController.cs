using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Throttle.AspNetCore.TestApp.Controllers;

/// <summary>An MVC endpoint under the same policy, through the attribute.</summary>
[ApiController]
[Route("mvc")]
public sealed class LimitedController : ControllerBase
{
    [HttpGet]
    [EnableRateLimiting(TestAppRuntime.PerUser)]
    public string Get() => "ok";
}
