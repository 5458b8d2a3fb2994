using System.Globalization;
using FunctionsJobs.Core.Callbacks;
using Microsoft.AspNetCore.Http;

namespace FunctionsJobs.Http.Callbacks;

/// <summary>
/// <c>Prefer: wait=N</c> (RFC 7240) on a status route: answer as soon as the status changes, or
/// after N seconds unchanged, at most <see cref="MaxWaitSeconds"/>. The wait is served by a
/// <see cref="StatusWatch{T}"/>, shared by every caller waiting on the same resource.
/// </summary>
public static class LongPoll
{
    public const string PreferHeader = "Prefer";
    public const string PreferenceAppliedHeader = "Preference-Applied";
    public const int MaxWaitSeconds = 30;
    public const string ProblemTitle = "Invalid Prefer header";

    /// <summary>The wait asked for (null: none), or the problem when <c>wait</c> is malformed or too long. Other preferences are ignored.</summary>
    public static IResult? Read(HttpRequest request, out TimeSpan? wait)
    {
        ArgumentNullException.ThrowIfNull(request);
        wait = null;
        var value = FindWait(request);
        if (value is null)
        {
            return null;
        }

        var seconds = value.Length is > 0 and <= 2 && value.All(char.IsAsciiDigit) ? int.Parse(value, CultureInfo.InvariantCulture) : -1;
        if (seconds is < 0 or > MaxWaitSeconds)
        {
            return Results.ValidationProblem(
                new Dictionary<string, string[]> { [PreferHeader] = [$"wait must be a whole number of seconds from 0 to {MaxWaitSeconds}, not '{Problems.Printable(value)}'"] },
                title: ProblemTitle,
                detail: $"Send Prefer: wait=N with N from 0 to {MaxWaitSeconds} to wait for a change of status.");
        }

        wait = TimeSpan.FromSeconds(seconds);
        return null;
    }

    /// <summary>
    /// The resource read at once, or with a <paramref name="wait"/> through the shared watcher; the
    /// answer then says the wait was honoured.
    /// </summary>
    public static async Task<T?> ReadAsync<T>(
        HttpRequest request, string id, TimeSpan? wait, StatusWatch<T> watch, Func<CancellationToken, Task<T?>> read, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(watch);
        ArgumentNullException.ThrowIfNull(read);
        if (wait is not { } waitFor)
        {
            return await read(cancellationToken).ConfigureAwait(false);
        }

        var result = await watch.WaitAsync(id, read, waitFor, cancellationToken).ConfigureAwait(false);
        Applied(request.HttpContext.Response, waitFor);
        return result.Latest;
    }

    /// <summary>Tells the caller the wait was honoured, and caches that the answer depends on it.</summary>
    public static void Applied(HttpResponse response, TimeSpan wait)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.Headers[PreferenceAppliedHeader] = string.Create(CultureInfo.InvariantCulture, $"wait={(int)wait.TotalSeconds}");
        response.Headers.Vary = PreferHeader;
    }

    /// <summary>The value of the first <c>wait</c> preference of every Prefer header, unquoted; null if there is none.</summary>
    private static string? FindWait(HttpRequest request)
    {
        foreach (var header in request.Headers[PreferHeader])
        {
            foreach (var preference in (header ?? string.Empty).Split(','))
            {
                var token = preference.Split(';', 2)[0];
                var equals = token.IndexOf('=', StringComparison.Ordinal);
                var name = (equals < 0 ? token : token[..equals]).Trim();
                if (name.Equals("wait", StringComparison.OrdinalIgnoreCase))
                {
                    return equals < 0 ? string.Empty : token[(equals + 1)..].Trim().Trim('"');
                }
            }
        }

        return null;
    }
}
