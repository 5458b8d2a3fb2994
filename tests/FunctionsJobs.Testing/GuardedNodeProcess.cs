using System.Diagnostics;
using System.Text;

namespace FunctionsJobs.Testing;

/// <summary>
/// A Node program from the repository's node_modules, run under scripts/with-parent.mjs so it stops
/// with the test process even if that process is killed, and awaited until it says it listens.
/// </summary>
internal sealed class GuardedNodeProcess
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private GuardedNodeProcess(Process process)
    {
        _process = process;
    }

    /// <param name="name">For messages: "Azurite", "maildev".</param>
    /// <param name="script">The program, relative to node_modules.</param>
    /// <param name="readyMarker">Text of the line the program prints once per listening endpoint.</param>
    /// <param name="readyCount">How many such lines mean it is ready.</param>
    public static async Task<GuardedNodeProcess> StartAsync(
        string name, string script, IEnumerable<string> arguments, string workingDirectory, string readyMarker, int readyCount)
    {
        var program = Path.Combine(RepositoryPaths.Root, "node_modules", script);
        if (!File.Exists(program))
        {
            throw new InvalidOperationException($"{name} is not installed ({program} missing): run 'npm ci' in {RepositoryPaths.Root}");
        }

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in new[] { Path.Combine(RepositoryPaths.Root, "scripts", "with-parent.mjs"), "node", program }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var guarded = new GuardedNodeProcess(process);
        var listening = 0;
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (guarded._output)
            {
                guarded._output.AppendLine(line);
            }

            if (line.Contains(readyMarker, StringComparison.OrdinalIgnoreCase) && Interlocked.Increment(ref listening) == readyCount)
            {
                ready.TrySetResult();
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.Exited += (_, _) =>
        {
            // Exited can come before the last output lines are read (the EADDRINUSE that decides a
            // retry among them): this WaitForExit returns once both streams have reached their end.
            process.WaitForExit();
            ready.TrySetException(new InvalidOperationException($"{name} exited during start-up:\n{guarded.Output}"));
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await ready.Task.WaitAsync(StartTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await guarded.StopAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"{name} did not report listening within {StartTimeout}:\n{guarded.Output}");
        }

        return guarded;
    }

    public bool IsRunning => !_process.HasExited;

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            // Closing stdin tells with-parent.mjs to stop the program; kill outright if that is slow.
            _process.StandardInput.Close();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
        }

        _process.Dispose();
    }
}
