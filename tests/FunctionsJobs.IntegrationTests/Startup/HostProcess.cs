using System.Diagnostics;

namespace FunctionsJobs.IntegrationTests.Startup;

/// <summary>The Host as an operator starts it: its own process, a working folder, environment variables.</summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stdout = [];
    private readonly List<string> _stderr = [];
    private readonly TaskCompletionSource<string> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Signal)> _outputWaiters = [];

    private HostProcess(Process process)
    {
        _process = process;
    }

    public IReadOnlyList<string> StandardError
    {
        get
        {
            lock (_stderr)
            {
                return [.. _stderr];
            }
        }
    }

    public IReadOnlyList<string> StandardOutput
    {
        get
        {
            lock (_stdout)
            {
                return [.. _stdout];
            }
        }
    }

    public static HostProcess Start(string workingDirectory, IReadOnlyDictionary<string, string?> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "FunctionsJobs.Host.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A clean slate: nothing from the developer's shell decides what the Host reads.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("AzureWebJobs", StringComparison.OrdinalIgnoreCase) || k.StartsWith("FunctionsJobs", StringComparison.OrdinalIgnoreCase) || k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal) || k.StartsWith("AZURE_FUNCTIONS", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var host = new HostProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (host._stdout)
            {
                host._stdout.Add(e.Data);
                foreach (var waiter in host._outputWaiters.Where(w => w.Match(e.Data)).ToList())
                {
                    waiter.Signal.TrySetResult(e.Data);
                    host._outputWaiters.Remove(waiter);
                }
            }

            if (e.Data.Contains("Host running on", StringComparison.Ordinal))
            {
                host._listening.TrySetResult(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (host._stderr)
                {
                    host._stderr.Add(e.Data);
                }
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return host;
    }

    /// <summary>Completes with the start-up line once the Host reports it is running.</summary>
    public Task<string> WaitForRunningAsync(TimeSpan timeout) => _listening.Task.WaitAsync(timeout);

    /// <summary>Completes with the first line of standard output, past or future, that matches.</summary>
    public Task<string> WaitForOutputAsync(Func<string, bool> match, TimeSpan timeout)
    {
        var signal = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_stdout)
        {
            if (_stdout.FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }

            _outputWaiters.Add((match, signal));
        }

        return signal.Task.WaitAsync(timeout);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>SIGKILL: the process dies at once, with no shutdown code run.</summary>
    public void Kill() => _process.Kill();

    /// <summary>SIGKILL: the process dies where it stands, with no shutdown and no drain.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as a container runtime or Ctrl+C sends.</summary>
    public void Terminate() => Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]).WaitForExit();

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
