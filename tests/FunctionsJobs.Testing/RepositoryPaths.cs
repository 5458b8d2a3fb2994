namespace FunctionsJobs.Testing;

public static class RepositoryPaths
{
    /// <summary>The folder holding FunctionsJobs.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "FunctionsJobs.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"FunctionsJobs.sln not found above {AppContext.BaseDirectory}");
    }
}
