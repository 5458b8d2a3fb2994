using System.Collections.Concurrent;
using System.Diagnostics;
using FunctionsJobs.Core.Thumbnails;
using Microsoft.Extensions.Logging;

namespace FunctionsJobs.Benchmarks.Thumbnails;

/// <summary>
/// When each image's last size was written: the handler's "done" log line (written after every
/// size is stored and the status flipped), caught by a logger provider with a timestamp.
/// </summary>
internal sealed class DoneSignals : ILoggerProvider
{
    private static readonly string HandlerCategory = typeof(ThumbnailHandler).FullName!;
    private readonly ConcurrentDictionary<string, long> _done = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<long>> _waiters = new(StringComparer.Ordinal);

    private int _lines;

    public int Count => _done.Count;

    /// <summary>"Done" lines, repeats included: more than <see cref="Count"/> means an image was made twice.</summary>
    public int Lines => Volatile.Read(ref _lines);

    public Task<long> WhenDoneAsync(string imageId)
    {
        var waiter = _waiters.GetOrAdd(imageId, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (_done.TryGetValue(imageId, out var at))
        {
            waiter.TrySetResult(at);
        }

        return waiter.Task;
    }

    public ILogger CreateLogger(string categoryName) => categoryName == HandlerCategory ? new Listener(this) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    public void Dispose()
    {
    }

    private void OnDone(string imageId)
    {
        var at = Stopwatch.GetTimestamp();
        Interlocked.Increment(ref _lines);
        _done.TryAdd(imageId, at);
        if (_waiters.TryGetValue(imageId, out var waiter))
        {
            waiter.TrySetResult(at);
        }
    }

    private sealed class Listener(DoneSignals signals) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (state is not IReadOnlyList<KeyValuePair<string, object?>> fields)
            {
                return;
            }

            string? id = null;
            var done = false;
            foreach (var (key, value) in fields)
            {
                if (key == "ImageId")
                {
                    id = value as string;
                }
                else if (key == "{OriginalFormat}" && value is string format && format.Contains(") done:", StringComparison.Ordinal))
                {
                    done = true;
                }
            }

            if (done && id is not null)
            {
                signals.OnDone(id);
            }
        }
    }
}
