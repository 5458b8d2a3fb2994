using FunctionsJobs.Benchmarks.QueueDispatch;

// One subcommand per benchmark; each prints one line per figure and ends with a summary.
// A missed target is a result, not a failure: the exit code is 0 unless the run itself broke.
const string Usage = "usage: FunctionsJobs.Benchmarks queue-dispatch [--messages 2000] [--rounds 5] [--warmup 300] [--in-memory]";

if (args.FirstOrDefault() != "queue-dispatch")
{
    Console.Error.WriteLine(Usage);
    return 2;
}

if (!QueueDispatchOptions.TryParse(args[1..], out var options, out var error))
{
    Console.Error.WriteLine($"{error}\n{Usage}");
    return 2;
}

return await QueueDispatchCommand.RunAsync(options);
