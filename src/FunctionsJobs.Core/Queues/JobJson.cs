using System.Text.Json;
using System.Text.Json.Serialization;

namespace FunctionsJobs.Core.Queues;

/// <summary>The one JSON dialect of messages, records and HTTP bodies, so both runtimes read what the other wrote.</summary>
public static class JobJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            // A message that lacks a required field or carries null for a non-nullable one is
            // rejected at the door instead of failing deep inside a handler.
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
