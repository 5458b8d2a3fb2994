using System.Text.Json;
using FunctionsJobs.Testing;

namespace FunctionsJobs.InfraTests;

/// <summary>
/// The self-hosted runtime in Azure gets blob events pushed: deploy/keda/blob-events.bicep subscribes
/// the thumbnail events queue to the images container's BlobCreated and BlobDeleted events, delivered
/// with the system topic's identity, and the Host's container scan is switched off where it does.
/// </summary>
public sealed class HostBlobEventsTests
{
    [BicepFact]
    public async Task Images_blob_events_go_to_the_Host_events_queue_with_the_topics_identity_and_a_send_only_role()
    {
        using var template = await BuildAsync("deploy/keda/blob-events.bicep");
        var resources = Resources(template.RootElement);

        var subscription = Single(resources, "Microsoft.EventGrid/systemTopics/eventSubscriptions").GetProperty("properties");
        Assert.Equal("EventGridSchema", subscription.GetProperty("eventDeliverySchema").GetString());
        var filter = subscription.GetProperty("filter");
        Assert.Equal(["Microsoft.Storage.BlobCreated", "Microsoft.Storage.BlobDeleted"], filter.GetProperty("includedEventTypes").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("[format('/blobServices/default/containers/{0}/', parameters('containerName'))]", filter.GetProperty("subjectBeginsWith").GetString());
        Assert.False(subscription.TryGetProperty("destination", out _), "delivery must sign in with the topic's identity, not go without one");
        var delivery = subscription.GetProperty("deliveryWithResourceIdentity");
        Assert.Equal("SystemAssigned", delivery.GetProperty("identity").GetProperty("type").GetString());
        var destination = delivery.GetProperty("destination");
        Assert.Equal("StorageQueue", destination.GetProperty("endpointType").GetString());
        Assert.Equal("[parameters('queueName')]", destination.GetProperty("properties").GetProperty("queueName").GetString());
        Assert.Equal("thumbnail-events", template.RootElement.GetProperty("parameters").GetProperty("queueName").GetProperty("defaultValue").GetString());
        Assert.Equal("images", template.RootElement.GetProperty("parameters").GetProperty("containerName").GetProperty("defaultValue").GetString());

        // Storage Queue Data Message Sender on the events queue alone, to the system topic's own principal.
        var role = Single(resources, "Microsoft.Authorization/roleAssignments");
        Assert.Equal("c6a89b2d-59bc-44d0-9896-0f6e12d7b80a", template.RootElement.GetProperty("variables").GetProperty("storageQueueDataMessageSender").GetString());
        Assert.Contains("variables('storageQueueDataMessageSender')", role.GetProperty("properties").GetProperty("roleDefinitionId").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("[resourceId('Microsoft.Storage/storageAccounts/queueServices/queues'", role.GetProperty("scope").GetString(), StringComparison.Ordinal);
        Assert.Contains("Microsoft.EventGrid/systemTopics", role.GetProperty("properties").GetProperty("principalId").GetString(), StringComparison.Ordinal);
        Assert.EndsWith(".identity.principalId]", role.GetProperty("properties").GetProperty("principalId").GetString(), StringComparison.Ordinal);
        Assert.Single(resources, r => r.GetProperty("type").GetString() == "Microsoft.Storage/storageAccounts/queueServices/queues" && !IsExisting(r));
    }

    [BicepFact]
    public async Task The_container_app_subscribes_its_queue_and_switches_its_own_scan_off()
    {
        using var template = await BuildAsync("deploy/keda/containerapp.bicep");
        var resources = Resources(template.RootElement);

        var env = Single(resources, "Microsoft.App/containerApps").GetProperty("properties").GetProperty("template").GetProperty("containers")[0].GetProperty("env");
        Assert.Contains(env.EnumerateArray(), e => e.GetProperty("name").GetString() == "AzureWebJobs__ThumbnailBlobTrigger__Disabled" && e.GetProperty("value").GetString() == "true");
        var nested = Single(resources, "Microsoft.Resources/deployments").GetProperty("properties");
        Assert.Contains(Resources(nested.GetProperty("template")), r => r.GetProperty("type").GetString() == "Microsoft.EventGrid/systemTopics/eventSubscriptions");
    }

    [BicepFact]
    public async Task The_Functions_app_keeps_Event_Grid_as_its_front_door_and_its_scan_timer_off()
    {
        var snapshot = await PlanSnapshot.ForAsync("flex");

        Assert.Equal("SystemAssigned", snapshot.Single("Microsoft.EventGrid/systemTopics").GetProperty("identity").GetProperty("type").GetString());
        var settings = snapshot.AppSettings();
        Assert.Equal("true", settings["AzureWebJobs.ThumbnailBlobScan.Disabled"]);
        Assert.False(string.IsNullOrEmpty(settings["ThumbnailBlobScanSchedule"]), "the timer's %ThumbnailBlobScanSchedule% must resolve even while it is disabled");
        Assert.Equal("false", settings["AzureWebJobs.ThumbnailBlobTrigger.Disabled"]);
    }

    private static async Task<JsonDocument> BuildAsync(string file)
    {
        var result = await BicepCli.RunAsync(RepositoryPaths.Root, null, "build", file, "--stdout");
        Assert.True(result.ExitCode == 0 && string.IsNullOrWhiteSpace(result.StandardError), result.ToString());
        return JsonDocument.Parse(result.StandardOutput);
    }

    /// <summary>A template's resources: an array, or an object keyed by symbolic name (languageVersion 2.0).</summary>
    private static List<JsonElement> Resources(JsonElement template)
    {
        var resources = template.GetProperty("resources");
        return resources.ValueKind == JsonValueKind.Array
            ? [.. resources.EnumerateArray()]
            : [.. resources.EnumerateObject().Select(p => p.Value)];
    }

    private static JsonElement Single(List<JsonElement> resources, string type)
    {
        var matches = resources.Where(r => r.GetProperty("type").GetString() == type && !IsExisting(r)).ToList();
        Assert.True(matches.Count == 1, $"expected one {type}, found {matches.Count}");
        return matches[0];
    }

    private static bool IsExisting(JsonElement resource) => resource.TryGetProperty("existing", out var existing) && existing.GetBoolean();
}
