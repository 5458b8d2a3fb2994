using FunctionsJobs.Core.Settings;
using FunctionsJobs.Host.Configuration;

namespace FunctionsJobs.UnitTests.Configuration;

public sealed class LocalSettingsFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Values_are_read_with_double_underscore_as_section_separator()
    {
        _dir.Write("local.settings.json", """
            {
              "IsEncrypted": false,
              "Values": {
                "AzureWebJobsStorage": "UseDevelopmentStorage=true",
                "FunctionsJobs__FunctionKey": "abc",
                "AzureFunctionsJobHost__extensions__queues__batchSize": "4"
              },
              "Host": { "LocalHttpPort": 7071 }
            }
            """);

        var values = LocalSettingsFile.Read(_dir.Path);

        Assert.Equal(3, values.Count);
        Assert.Equal("UseDevelopmentStorage=true", values["AzureWebJobsStorage"]);
        Assert.Equal("abc", values["FunctionsJobs:FunctionKey"]);
        Assert.Equal("4", values["AzureFunctionsJobHost:extensions:queues:batchSize"]);
        Assert.False(values.ContainsKey("FunctionsJobs__FunctionKey"));
    }

    [Fact]
    public void Numbers_and_booleans_become_strings()
    {
        _dir.Write("local.settings.json", """{ "Values": { "Count": 42, "Ratio": 1.5, "On": true, "Off": false } }""");

        var values = LocalSettingsFile.Read(_dir.Path);

        Assert.Equal("42", values["Count"]);
        Assert.Equal("1.5", values["Ratio"]);
        Assert.Equal("true", values["On"]);
        Assert.Equal("false", values["Off"]);
    }

    [Fact]
    public void Keys_are_case_insensitive()
    {
        _dir.Write("local.settings.json", """{ "Values": { "Queues__Orders": "orders-eu" } }""");

        var values = LocalSettingsFile.Read(_dir.Path);

        Assert.Equal("orders-eu", values["queues:orders"]);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_allowed()
    {
        _dir.Write("local.settings.json", """
            {
              // local only
              "Values": {
                "A": "1", /* inline */
              },
            }
            """);

        var values = LocalSettingsFile.Read(_dir.Path);

        Assert.Equal("1", Assert.Single(values).Value);
    }

    [Fact]
    public void Missing_file_gives_no_values()
    {
        Assert.Empty(LocalSettingsFile.Read(_dir.Path));
    }

    [Fact]
    public void File_without_values_gives_no_values()
    {
        _dir.Write("local.settings.json", """{ "IsEncrypted": false }""");

        Assert.Empty(LocalSettingsFile.Read(_dir.Path));
    }

    [Theory]
    [InlineData("{ \"Values\": { \"A\": ")]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("{ \"Values\": { \"A\": \"1\" } } extra")]
    public void Malformed_json_names_the_file(string content)
    {
        var path = _dir.Write("local.settings.json", content);

        var error = Assert.Throws<InvalidSettingException>(() => LocalSettingsFile.Read(_dir.Path));

        Assert.Equal(path, error.Setting);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Root_that_is_not_an_object_is_rejected()
    {
        var path = _dir.Write("local.settings.json", "[1, 2]");

        var error = Assert.Throws<InvalidSettingException>(() => LocalSettingsFile.Read(_dir.Path));

        Assert.Equal(path, error.Setting);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"A=1\"")]
    [InlineData("null")]
    public void Values_that_is_not_an_object_is_rejected(string values)
    {
        var path = _dir.Write("local.settings.json", $$"""{ "Values": {{values}} }""");

        var error = Assert.Throws<InvalidSettingException>(() => LocalSettingsFile.Read(_dir.Path));

        Assert.Equal($"{path}: Values", error.Setting);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"Inner\": \"x\" }")]
    [InlineData("[\"x\"]")]
    [InlineData("null")]
    public void Nested_value_is_rejected_naming_the_key(string value)
    {
        var path = _dir.Write("local.settings.json", $$"""{ "Values": { "Good": "1", "Nested": {{value}} } }""");

        var error = Assert.Throws<InvalidSettingException>(() => LocalSettingsFile.Read(_dir.Path));

        Assert.Equal($"{path}: Values.Nested", error.Setting);
        Assert.Contains("Values.Nested", error.Message, StringComparison.Ordinal);
    }
}
