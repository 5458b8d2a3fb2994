namespace FunctionsJobs.Http;

/// <summary>
/// Where the <c>/api</c> routes live. The Functions host adds the prefix itself (host.json
/// <c>extensions.http.routePrefix</c>, default <c>api</c>), so <c>[HttpTrigger]</c> routes are the
/// templates below as they are; the Host maps <see cref="OnHost"/> of the same template.
/// </summary>
public static class ApiRoutes
{
    public const string Prefix = "api";

    /// <summary>The absolute path of a route template on the Host: <c>/api/{template}</c>.</summary>
    public static string OnHost(string template) => $"/{Prefix}/{template}";
}
