namespace FunctionsJobs.Host;

/// <summary>
/// The one shape of a job on the Host: <see cref="Add"/> registers its triggers (queue functions,
/// timers, hosted services), <see cref="Map"/> its routes. Each job's class lives in the job's folder
/// (Orders/, Thumbnails/, SalesReport/, Retention/, Callbacks/); <see cref="HostJobs"/> lists them.
/// Its domain half is Core's <c>AddXxx(configuration)</c> of the same folder, which the Functions app uses too.
/// </summary>
internal interface IHostJob
{
    static abstract void Add(WebApplicationBuilder builder);

    static abstract void Map(WebApplication app);
}
