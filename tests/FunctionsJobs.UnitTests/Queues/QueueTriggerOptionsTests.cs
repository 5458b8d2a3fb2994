using Azure.Storage.Queues;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Host.Queues;

namespace FunctionsJobs.UnitTests.Queues;

public sealed class QueueTriggerOptionsTests
{
    private const string Queues = "AzureFunctionsJobHost:extensions:queues";

    [Fact]
    public void Section_is_the_functions_host_json_path()
    {
        Assert.Equal(Queues, QueueTriggerOptions.Section);
    }

    [Fact]
    public void Empty_configuration_gives_the_functions_defaults()
    {
        var options = QueueTriggerOptions.FromConfiguration(TestConfig.From());

        Assert.Equal(16, options.BatchSize);
        Assert.Equal(8, options.NewBatchThreshold);
        Assert.Equal(TimeSpan.FromMinutes(1), options.MaxPollingInterval);
        Assert.Equal(TimeSpan.Zero, options.VisibilityTimeout);
        Assert.Equal(5, options.MaxDequeueCount);
        Assert.Equal(QueueMessageEncoding.Base64, options.MessageEncoding);
    }

    [Fact]
    public void Defaults_from_configuration_equal_the_record_defaults()
    {
        Assert.Equal(new QueueTriggerOptions(), QueueTriggerOptions.FromConfiguration(TestConfig.From()));
    }

    [Theory]
    [InlineData("32", 32, 16)]
    [InlineData("10", 10, 5)]
    [InlineData("3", 3, 1)]
    [InlineData("1", 1, 0)]
    public void NewBatchThreshold_default_follows_a_configured_batch_size(string batchSize, int expectedBatch, int expectedThreshold)
    {
        var options = QueueTriggerOptions.FromConfiguration(TestConfig.From(($"{Queues}:batchSize", batchSize)));

        Assert.Equal(expectedBatch, options.BatchSize);
        Assert.Equal(expectedThreshold, options.NewBatchThreshold);
    }

    [Fact]
    public void Configured_values_are_read()
    {
        var options = QueueTriggerOptions.FromConfiguration(TestConfig.From(
            ($"{Queues}:batchSize", "4"),
            ($"{Queues}:newBatchThreshold", "3"),
            ($"{Queues}:maxPollingInterval", "00:00:02"),
            ($"{Queues}:visibilityTimeout", "00:00:10"),
            ($"{Queues}:maxDequeueCount", "2"),
            ($"{Queues}:messageEncoding", "None")));

        Assert.Equal(4, options.BatchSize);
        Assert.Equal(3, options.NewBatchThreshold);
        Assert.Equal(TimeSpan.FromSeconds(2), options.MaxPollingInterval);
        Assert.Equal(TimeSpan.FromSeconds(10), options.VisibilityTimeout);
        Assert.Equal(2, options.MaxDequeueCount);
        Assert.Equal(QueueMessageEncoding.None, options.MessageEncoding);
    }

    [Theory]
    [InlineData("base64", QueueMessageEncoding.Base64)]
    [InlineData("Base64", QueueMessageEncoding.Base64)]
    [InlineData("none", QueueMessageEncoding.None)]
    [InlineData("NONE", QueueMessageEncoding.None)]
    public void MessageEncoding_is_case_insensitive(string value, QueueMessageEncoding expected)
    {
        var options = QueueTriggerOptions.FromConfiguration(TestConfig.From(($"{Queues}:messageEncoding", value)));

        Assert.Equal(expected, options.MessageEncoding);
    }

    [Theory]
    [InlineData("batchSize", "0")]
    [InlineData("batchSize", "33")]
    [InlineData("batchSize", "sixteen")]
    [InlineData("batchSize", "16.5")]
    [InlineData("batchSize", "")]
    [InlineData("newBatchThreshold", "-1")]
    [InlineData("newBatchThreshold", "eight")]
    [InlineData("maxPollingInterval", "00:00:00.099")]
    [InlineData("maxPollingInterval", "00:00:00")]
    [InlineData("maxPollingInterval", "a minute")]
    [InlineData("visibilityTimeout", "-00:00:01")]
    [InlineData("visibilityTimeout", "ten seconds")]
    [InlineData("messageEncoding", "xml")]
    [InlineData("messageEncoding", "")]
    [InlineData("maxDequeueCount", "0")]
    [InlineData("maxDequeueCount", "-5")]
    [InlineData("maxDequeueCount", "five")]
    public void Invalid_value_names_the_host_json_key(string key, string value)
    {
        var config = TestConfig.From(($"{Queues}:{key}", value));

        var error = Assert.Throws<InvalidSettingException>(() => QueueTriggerOptions.FromConfiguration(config));

        Assert.Equal($"host.json extensions.queues.{key}", error.Setting);
        Assert.Contains($"host.json extensions.queues.{key}", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxPollingInterval_of_exactly_the_minimum_is_accepted()
    {
        var options = QueueTriggerOptions.FromConfiguration(TestConfig.From(($"{Queues}:maxPollingInterval", "00:00:00.100")));

        Assert.Equal(QueueTriggerOptions.MinPollingInterval, options.MaxPollingInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(100), QueueTriggerOptions.MinPollingInterval);
    }


}
