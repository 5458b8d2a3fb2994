using System.Text.Json;
using FunctionsJobs.Testing;

namespace FunctionsJobs.InfraTests;

/// <summary>
/// What each plan's deployment would send to Azure (see <see cref="PlanSnapshot"/>): the right
/// SKU, no shared keys anywhere, identity-based connections, local auth off, the orders queue's
/// delivery guarantees, and the Event Grid subscription only in step two.
/// </summary>
public sealed class PlanTemplateTests
{
    public static TheoryData<string> Plans => ["flex", "consumption", "premium"];

    [BicepTheory]
    [InlineData("flex", "FC1", "FlexConsumption")]
    [InlineData("consumption", "Y1", "Dynamic")]
    [InlineData("premium", "EP1", "ElasticPremium")]
    public async Task Function_app_runs_on_the_plans_sku(string plan, string sku, string tier)
    {
        var snapshot = await PlanSnapshot.ForAsync(plan);
        var hostingPlan = snapshot.Single("Microsoft.Web/serverfarms");

        Assert.Equal(sku, hostingPlan.GetProperty("sku").GetProperty("name").GetString());
        Assert.Equal(tier, hostingPlan.GetProperty("sku").GetProperty("tier").GetString());
        var site = snapshot.Single("Microsoft.Web/sites");
        Assert.Equal(hostingPlan.GetProperty("id").GetString(), site.GetProperty("properties").GetProperty("serverFarmId").GetString());
    }

    [BicepTheory]
    [MemberData(nameof(Plans))]
    public async Task Storage_account_refuses_shared_keys(string plan)
    {
        var storage = (await PlanSnapshot.ForAsync(plan)).Single("Microsoft.Storage/storageAccounts").GetProperty("properties");

        Assert.False(storage.GetProperty("allowSharedKeyAccess").GetBoolean());
        Assert.False(storage.GetProperty("allowBlobPublicAccess").GetBoolean());
    }

    [BicepTheory]
    [MemberData(nameof(Plans))]
    public async Task App_settings_connect_with_the_managed_identity_and_hold_no_secret(string plan)
    {
        var settings = (await PlanSnapshot.ForAsync(plan)).AppSettings();

        foreach (var (name, value) in settings)
        {
            Assert.False(value.Contains("AccountKey=", StringComparison.OrdinalIgnoreCase), $"{name} holds an account key: {value}");
            Assert.False(value.Contains("SharedAccessKey", StringComparison.OrdinalIgnoreCase), $"{name} holds a shared access key: {value}");
            Assert.False(value.Contains("listKeys(", StringComparison.OrdinalIgnoreCase), $"{name} is built from listKeys: {value}");
            Assert.False(value.Contains("sig=", StringComparison.OrdinalIgnoreCase), $"{name} holds a SAS: {value}");
        }

        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
        Assert.DoesNotContain("WEBSITE_CONTENTAZUREFILECONNECTIONSTRING", settings.Keys);
        Assert.StartsWith("st", settings["AzureWebJobsStorage__accountName"], StringComparison.Ordinal);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("managedidentity", settings["ServiceBusConnection__credential"]);
        Assert.Contains("userAssignedIdentities", settings["AzureWebJobsStorage__clientId"], StringComparison.Ordinal);
        Assert.Contains("userAssignedIdentities", settings["ServiceBusConnection__clientId"], StringComparison.Ordinal);
        Assert.Contains("serviceBusEndpoint", settings["ServiceBusConnection__fullyQualifiedNamespace"], StringComparison.Ordinal);
        Assert.StartsWith("[format('Authorization=AAD;ClientId=", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
        Assert.Contains("ConnectionString", settings["APPLICATIONINSIGHTS_CONNECTION_STRING"], StringComparison.Ordinal);
    }

    /// <summary>
    /// Every setting of local.settings.sample.json reaches the app in Azure, under its own name or
    /// as its identity-based <c>Name__*</c> form. A job that adds a setting to the sample adds it
    /// to <c>jobSettings</c> in infra/main.bicep too.
    /// </summary>
    [BicepTheory]
    [MemberData(nameof(Plans))]
    public async Task App_settings_include_every_setting_of_the_local_sample(string plan)
    {
        // Local-only settings: the runtime comes from the plan, Development is never deployed, and
        // the Host's own HTTP keys are replaced by the Functions host keys.
        string[] localOnly = ["FUNCTIONS_WORKER_RUNTIME", "AZURE_FUNCTIONS_ENVIRONMENT", "FunctionsJobs__FunctionKey", "FunctionsJobs__MasterKey"];
        using var sample = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "local.settings.sample.json")));
        var settings = (await PlanSnapshot.ForAsync(plan)).AppSettings();

        var missing = sample.RootElement.GetProperty("Values").EnumerateObject()
            .Select(setting => setting.Name)
            .Where(name => !localOnly.Contains(name))
            .Where(name => !settings.Keys.Any(key => key == name || key.StartsWith(name + "__", StringComparison.Ordinal)))
            .ToList();

        Assert.True(missing.Count == 0, $"plan '{plan}': settings of local.settings.sample.json missing in Azure (add them to jobSettings in infra/main.bicep): {string.Join(", ", missing)}");
    }

    /// <summary>
    /// The Functions host refuses an upload over the route's limit itself: were it to proxy the body,
    /// the worker's early 413 would break the proxied request and the client would get a 500.
    /// </summary>
    [BicepTheory]
    [MemberData(nameof(Plans))]
    public async Task The_host_s_request_body_limit_is_the_upload_route_s(string plan)
    {
        var settings = (await PlanSnapshot.ForAsync(plan)).AppSettings();

        var maxBytes = long.Parse(settings["ThumbnailMaxBytes"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(Core.Thumbnails.ImageUploads.RequestBytesFor(maxBytes).ToString(System.Globalization.CultureInfo.InvariantCulture), settings["FUNCTIONS_REQUEST_BODY_SIZE_LIMIT"]);
    }

    [BicepTheory]
    [MemberData(nameof(Plans))]
    public async Task Application_Insights_Log_Analytics_and_Service_Bus_refuse_local_auth(string plan)
    {
        var snapshot = await PlanSnapshot.ForAsync(plan);

        Assert.True(snapshot.Single("Microsoft.Insights/components").GetProperty("properties").GetProperty("DisableLocalAuth").GetBoolean());
        Assert.True(snapshot.Single("Microsoft.ServiceBus/namespaces").GetProperty("properties").GetProperty("disableLocalAuth").GetBoolean());
        Assert.True(snapshot.Single("Microsoft.OperationalInsights/workspaces").GetProperty("properties").GetProperty("features").GetProperty("disableLocalAuth").GetBoolean());
    }

    [BicepTheory]
    [MemberData(nameof(Plans))]
    public async Task Orders_queue_detects_duplicates_and_dead_letters(string plan)
    {
        var snapshot = await PlanSnapshot.ForAsync(plan);
        var queue = snapshot.Single("Microsoft.ServiceBus/namespaces/queues");
        var properties = queue.GetProperty("properties");

        Assert.EndsWith("/orders", queue.GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.True(properties.GetProperty("requiresDuplicateDetection").GetBoolean());
        Assert.Equal("PT10M", properties.GetProperty("duplicateDetectionHistoryTimeWindow").GetString());
        Assert.Equal(10, properties.GetProperty("maxDeliveryCount").GetInt32());
        Assert.True(properties.GetProperty("deadLetteringOnMessageExpiration").GetBoolean());
        Assert.Equal("Standard", snapshot.Single("Microsoft.ServiceBus/namespaces").GetProperty("sku").GetProperty("name").GetString());
    }

    [BicepTheory]
    [MemberData(nameof(Plans))]
    public async Task Managed_identity_gets_the_data_roles(string plan)
    {
        var snapshot = await PlanSnapshot.ForAsync(plan);
        var identityId = snapshot.Single("Microsoft.ManagedIdentity/userAssignedIdentities").GetProperty("id").GetString()!;
        var granted = snapshot.Resources("Microsoft.Authorization/roleAssignments")
            .Select(assignment => assignment.GetProperty("properties"))
            .Where(properties => properties.GetProperty("principalId").GetString()!.Contains(identityId, StringComparison.Ordinal))
            .Select(properties => properties.GetProperty("roleDefinitionId").GetString()!.Split('/')[^1])
            .ToHashSet();

        string[] expected =
        [
            "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", // Storage Blob Data Owner
            "974c5e8b-45b9-4653-ba55-5f855dd0fb88", // Storage Queue Data Contributor
            "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", // Storage Table Data Contributor
            "3913510d-42f4-4e42-8a64-420c390055eb", // Monitoring Metrics Publisher
            "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39", // Azure Service Bus Data Sender
            "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0", // Azure Service Bus Data Receiver
        ];
        Assert.Empty(expected.Except(granted));
        var site = snapshot.Single("Microsoft.Web/sites");
        Assert.True(site.GetProperty("identity").GetProperty("userAssignedIdentities").TryGetProperty(identityId, out _), "the app does not carry the user-assigned identity");
    }

    [BicepFact]
    public async Task Flex_runs_dotnet_isolated_10_from_a_container_read_with_the_identity()
    {
        var snapshot = await PlanSnapshot.ForAsync("flex");
        var site = snapshot.Single("Microsoft.Web/sites");
        var config = site.GetProperty("properties").GetProperty("functionAppConfig");
        var settings = snapshot.AppSettings();

        Assert.Equal("functionapp,linux", site.GetProperty("kind").GetString());
        Assert.Equal("dotnet-isolated", config.GetProperty("runtime").GetProperty("name").GetString());
        Assert.Equal("10.0", config.GetProperty("runtime").GetProperty("version").GetString());
        Assert.Equal(2048, config.GetProperty("scaleAndConcurrency").GetProperty("instanceMemoryMB").GetInt32());
        Assert.Equal(100, config.GetProperty("scaleAndConcurrency").GetProperty("maximumInstanceCount").GetInt32());
        var storage = config.GetProperty("deployment").GetProperty("storage");
        Assert.Equal("blobContainer", storage.GetProperty("type").GetString());
        Assert.Equal("UserAssignedIdentity", storage.GetProperty("authentication").GetProperty("type").GetString());
        // Flex rejects the settings that Windows plans need.
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings.Keys);
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings.Keys);
        Assert.DoesNotContain("WEBSITE_RUN_FROM_PACKAGE", settings.Keys);
        var siteConfig = site.GetProperty("properties").GetProperty("siteConfig");
        Assert.False(siteConfig.TryGetProperty("netFrameworkVersion", out _), "Flex gets no Windows stack version");
        Assert.False(siteConfig.TryGetProperty("preWarmedInstanceCount", out _), "Flex gets no Premium instance settings");
    }

    [BicepTheory]
    [InlineData("consumption")]
    [InlineData("premium")]
    public async Task Windows_plans_run_dotnet_10_from_a_package_fetched_with_the_identity(string plan)
    {
        var snapshot = await PlanSnapshot.ForAsync(plan);
        var site = snapshot.Single("Microsoft.Web/sites");
        var settings = snapshot.AppSettings();

        Assert.Equal("functionapp", site.GetProperty("kind").GetString());
        Assert.False(snapshot.Single("Microsoft.Web/serverfarms").GetProperty("properties").GetProperty("reserved").GetBoolean());
        Assert.Equal("v10.0", site.GetProperty("properties").GetProperty("siteConfig").GetProperty("netFrameworkVersion").GetString());
        Assert.Equal("dotnet-isolated", settings["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.Equal("~4", settings["FUNCTIONS_EXTENSION_VERSION"]);
        Assert.Contains("primaryEndpoints.blob", settings["WEBSITE_RUN_FROM_PACKAGE"], StringComparison.Ordinal);
        Assert.EndsWith("functions.zip')]", settings["WEBSITE_RUN_FROM_PACKAGE"], StringComparison.Ordinal);
        Assert.Contains("userAssignedIdentities", settings["WEBSITE_RUN_FROM_PACKAGE_BLOB_MI_RESOURCE_ID"], StringComparison.Ordinal);
    }

    [BicepFact]
    public async Task Premium_keeps_instances_warm_and_bursts_to_its_maximum()
    {
        var snapshot = await PlanSnapshot.ForAsync("premium");
        var hostingPlan = snapshot.Single("Microsoft.Web/serverfarms");
        var siteConfig = snapshot.Single("Microsoft.Web/sites").GetProperty("properties").GetProperty("siteConfig");

        Assert.Equal("elastic", hostingPlan.GetProperty("kind").GetString());
        Assert.Equal(1, hostingPlan.GetProperty("sku").GetProperty("capacity").GetInt32());
        Assert.Equal(20, hostingPlan.GetProperty("properties").GetProperty("maximumElasticWorkerCount").GetInt32());
        Assert.Equal(1, siteConfig.GetProperty("minimumElasticInstanceCount").GetInt32());
        Assert.Equal(1, siteConfig.GetProperty("preWarmedInstanceCount").GetInt32());
    }

    [BicepTheory]
    [MemberData(nameof(Plans))]
    public async Task Event_subscription_waits_for_step_two(string plan)
    {
        var snapshot = await PlanSnapshot.ForAsync(plan);

        var topic = snapshot.Single("Microsoft.EventGrid/systemTopics").GetProperty("properties");
        Assert.Equal("Microsoft.Storage.StorageAccounts", topic.GetProperty("topicType").GetString());
        Assert.Equal(snapshot.Single("Microsoft.Storage/storageAccounts").GetProperty("id").GetString(), topic.GetProperty("source").GetString());
        Assert.Empty(snapshot.Resources("Microsoft.EventGrid/systemTopics/eventSubscriptions"));
    }

    [BicepFact]
    public async Task Step_two_delivers_images_BlobCreated_events_to_the_blob_extension_webhook()
    {
        var snapshot = await PlanSnapshot.ForAsync("flex", enableBlobEventSubscription: true);
        var properties = snapshot.Single("Microsoft.EventGrid/systemTopics/eventSubscriptions").GetProperty("properties");

        var filter = properties.GetProperty("filter");
        Assert.Equal(["Microsoft.Storage.BlobCreated"], filter.GetProperty("includedEventTypes").EnumerateArray().Select(type => type.GetString()));
        Assert.Equal("/blobServices/default/containers/images/", filter.GetProperty("subjectBeginsWith").GetString());
        var destination = properties.GetProperty("destination");
        Assert.Equal("WebHook", destination.GetProperty("endpointType").GetString());
        var endpoint = destination.GetProperty("properties").GetProperty("endpointUrl").GetString()!;
        Assert.Contains("/runtime/webhooks/blobs?functionName=Host.Functions.{1}&code={2}", endpoint, StringComparison.Ordinal);
        Assert.Contains("'ThumbnailBlobTrigger'", endpoint, StringComparison.Ordinal);
        Assert.Contains("/host/default', '2025-03-01').systemKeys.blobs_extension", endpoint, StringComparison.Ordinal);
    }
}
