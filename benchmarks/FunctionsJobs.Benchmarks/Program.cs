using FunctionsJobs.Benchmarks.QueueDispatch;
using FunctionsJobs.Benchmarks.Thumbnails;

// One subcommand per benchmark; each prints one line per figure and ends with a summary.
// A missed target is a result, not a failure: the exit code is 0 unless the run itself broke.
const string Usage = "usage: FunctionsJobs.Benchmarks queue-dispatch [--messages 3000] [--rounds 3] [--warmup 500]\n" +
                     "       FunctionsJobs.Benchmarks thumbnails [--images 50] [--rounds 3] [--uploads 100] [--burst 200] [--phase all|generate|e2e|memory]";

switch (args.FirstOrDefault())
{
    case "queue-dispatch":
        if (!QueueDispatchOptions.TryParse(args[1..], out var options, out var error))
        {
            Console.Error.WriteLine($"{error}\n{Usage}");
            return 2;
        }

        return await QueueDispatchCommand.RunAsync(options);
    case "thumbnails":
        if (!ThumbnailsOptions.TryParse(args[1..], out var thumbnails, out var thumbnailsError))
        {
            Console.Error.WriteLine($"{thumbnailsError}\n{Usage}");
            return 2;
        }

        return await ThumbnailsCommand.RunAsync(thumbnails);
    default:
        Console.Error.WriteLine(Usage);
        return 2;
}
