namespace FunctionsJobs.Host.Http;

/// <summary>The Functions authorization levels the Host honours.</summary>
public enum AuthorizationLevel
{
    Anonymous,
    Function,
    Admin,
}

/// <summary>Endpoint metadata naming the key a route needs.</summary>
public sealed record AuthorizationLevelMetadata(AuthorizationLevel Level);

public static class AuthorizationLevelExtensions
{
    public static TBuilder RequireKey<TBuilder>(this TBuilder builder, AuthorizationLevel level)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.WithMetadata(new AuthorizationLevelMetadata(level));
        return builder;
    }
}
