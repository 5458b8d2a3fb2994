using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace FunctionsJobs.Functions.Orders;

/// <summary>
/// Runs a minimal-API <see cref="IResult"/> as the <see cref="IActionResult"/> that ASP.NET Core
/// integration expects, so both runtimes answer with the very same results (OrderHttp.cs).
/// </summary>
internal sealed class HttpResultAction(IResult result) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
}
