using Azure;

namespace FunctionsJobs.Core.Storage;

public static class ListingPages
{
    /// <summary>The pages of a listing; none when its container or table does not exist yet.</summary>
    public static async IAsyncEnumerable<Page<T>> OrNoneIfMissingAsync<T>(
        this IAsyncEnumerable<Page<T>> pages, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        where T : notnull
    {
        ArgumentNullException.ThrowIfNull(pages);
        var enumerator = pages.GetAsyncEnumerator(cancellationToken);
        await using (enumerator.ConfigureAwait(false))
        {
            while (true)
            {
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
                catch (RequestFailedException ex) when (ex.Status == 404)
                {
                    yield break;
                }

                yield return enumerator.Current;
            }
        }
    }
}
