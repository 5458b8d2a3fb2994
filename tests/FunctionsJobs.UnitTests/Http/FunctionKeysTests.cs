using FunctionsJobs.Core.Settings;
using FunctionsJobs.Host.Http;

namespace FunctionsJobs.UnitTests.Http;

public sealed class FunctionKeysTests
{
    private const string FunctionKey = "function-key-0123456789";
    private const string MasterKey = "master-key-0123456789abc";

    private static FunctionKeys Configured() => FunctionKeys.FromConfiguration(
        TestConfig.From((FunctionKeys.FunctionKeySetting, FunctionKey), (FunctionKeys.MasterKeySetting, MasterKey)),
        isDevelopment: false);

    [Fact]
    public void Setting_names_are_stable()
    {
        Assert.Equal("FunctionsJobs:FunctionKey", FunctionKeys.FunctionKeySetting);
        Assert.Equal("FunctionsJobs:MasterKey", FunctionKeys.MasterKeySetting);
    }

    [Fact]
    public void Development_generates_missing_keys()
    {
        var keys = FunctionKeys.FromConfiguration(TestConfig.From(), isDevelopment: true);

        Assert.True(keys.Generated);
        Assert.True(keys.FunctionKey.Length >= 16, keys.FunctionKey);
        Assert.True(keys.MasterKey.Length >= 16, keys.MasterKey);
        Assert.NotEqual(keys.FunctionKey, keys.MasterKey);
        Assert.True(keys.IsFunctionOrMaster(keys.FunctionKey));
        Assert.True(keys.IsMaster(keys.MasterKey));
    }

    [Fact]
    public void Generated_keys_differ_on_each_run()
    {
        var first = FunctionKeys.FromConfiguration(TestConfig.From(), isDevelopment: true);
        var second = FunctionKeys.FromConfiguration(TestConfig.From(), isDevelopment: true);

        Assert.NotEqual(first.FunctionKey, second.FunctionKey);
        Assert.NotEqual(first.MasterKey, second.MasterKey);
    }

    [Fact]
    public void Generated_keys_are_url_safe()
    {
        var keys = FunctionKeys.FromConfiguration(TestConfig.From(), isDevelopment: true);

        Assert.All(keys.FunctionKey + keys.MasterKey, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '=', $"'{c}'"));
    }

    [Fact]
    public void Development_keeps_configured_keys()
    {
        var keys = FunctionKeys.FromConfiguration(
            TestConfig.From((FunctionKeys.FunctionKeySetting, FunctionKey), (FunctionKeys.MasterKeySetting, MasterKey)),
            isDevelopment: true);

        Assert.False(keys.Generated);
        Assert.Equal(FunctionKey, keys.FunctionKey);
        Assert.Equal(MasterKey, keys.MasterKey);
    }

    [Fact]
    public void Development_generates_only_the_missing_key()
    {
        var keys = FunctionKeys.FromConfiguration(TestConfig.From((FunctionKeys.FunctionKeySetting, FunctionKey)), isDevelopment: true);

        Assert.True(keys.Generated);
        Assert.Equal(FunctionKey, keys.FunctionKey);
        Assert.NotEqual(FunctionKey, keys.MasterKey);
    }

    [Fact]
    public void Production_without_keys_fails_naming_the_function_key()
    {
        var error = Assert.Throws<InvalidSettingException>(() => FunctionKeys.FromConfiguration(TestConfig.From(), isDevelopment: false));

        Assert.Equal("FunctionsJobs:FunctionKey", error.Setting);
        Assert.Contains("FunctionsJobs:FunctionKey", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Production_with_a_blank_master_key_fails_naming_it(string master)
    {
        var error = Assert.Throws<InvalidSettingException>(() => FunctionKeys.FromConfiguration(
            TestConfig.From((FunctionKeys.FunctionKeySetting, FunctionKey), (FunctionKeys.MasterKeySetting, master)),
            isDevelopment: false));

        Assert.Equal("FunctionsJobs:MasterKey", error.Setting);
    }

    [Theory]
    [InlineData("FunctionsJobs:FunctionKey", "local-dev-function-key-0001")]
    [InlineData("FunctionsJobs:MasterKey", "local-dev-master-key-00001")]
    public void Outside_development_a_key_of_the_sample_settings_fails_naming_it(string setting, string sampleKey)
    {
        var settings = new Dictionary<string, string?> { [FunctionKeys.FunctionKeySetting] = FunctionKey, [FunctionKeys.MasterKeySetting] = MasterKey, [setting] = sampleKey };
        var configuration = TestConfig.From([.. settings.Select(kv => (kv.Key, kv.Value))]);

        var error = Assert.Throws<InvalidSettingException>(() => FunctionKeys.FromConfiguration(configuration, isDevelopment: false));

        Assert.Equal(setting, error.Setting);
        Assert.Contains("local.settings.sample.json", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(sampleKey, error.Message, StringComparison.Ordinal);

        // Development takes them: that is what they are for.
        Assert.False(FunctionKeys.FromConfiguration(configuration, isDevelopment: true).Generated);
    }

    [Fact]
    public void The_refused_sample_keys_are_the_ones_the_sample_settings_publish()
    {
        using var sample = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(FunctionsJobs.Testing.RepositoryPaths.Root, "local.settings.sample.json")));
        var values = sample.RootElement.GetProperty("Values");

        Assert.Equal(
            new[] { values.GetProperty("FunctionsJobs__FunctionKey").GetString(), values.GetProperty("FunctionsJobs__MasterKey").GetString() }.Order(),
            FunctionKeys.SampleKeys.Order());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Short_key_is_rejected(bool isDevelopment)
    {
        var error = Assert.Throws<InvalidSettingException>(() => FunctionKeys.FromConfiguration(
            TestConfig.From((FunctionKeys.FunctionKeySetting, "short-key-15chr"), (FunctionKeys.MasterKeySetting, MasterKey)),
            isDevelopment));

        Assert.Equal("FunctionsJobs:FunctionKey", error.Setting);
        Assert.Contains("16", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("short-key-15chr", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_of_exactly_sixteen_characters_is_accepted()
    {
        var keys = FunctionKeys.FromConfiguration(
            TestConfig.From((FunctionKeys.FunctionKeySetting, "sixteen-chars-ok"), (FunctionKeys.MasterKeySetting, MasterKey)),
            isDevelopment: false);

        Assert.Equal("sixteen-chars-ok", keys.FunctionKey);
    }

    [Fact]
    public void Function_key_equal_to_master_key_is_rejected()
    {
        var error = Assert.Throws<InvalidSettingException>(() => FunctionKeys.FromConfiguration(
            TestConfig.From((FunctionKeys.FunctionKeySetting, MasterKey), (FunctionKeys.MasterKeySetting, MasterKey)),
            isDevelopment: false));

        Assert.Equal("FunctionsJobs:FunctionKey", error.Setting);
        Assert.Contains("FunctionsJobs:MasterKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(MasterKey, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Configured_keys_are_used_in_production()
    {
        var keys = Configured();

        Assert.False(keys.Generated);
        Assert.Equal(FunctionKey, keys.FunctionKey);
        Assert.Equal(MasterKey, keys.MasterKey);
    }

    [Fact]
    public void Master_key_opens_function_and_admin_routes()
    {
        var keys = Configured();

        Assert.True(keys.IsMaster(MasterKey));
        Assert.True(keys.IsFunctionOrMaster(MasterKey));
    }

    [Fact]
    public void Function_key_opens_function_routes_but_not_admin()
    {
        var keys = Configured();

        Assert.True(keys.IsFunctionOrMaster(FunctionKey));
        Assert.False(keys.IsMaster(FunctionKey));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("wrong-key-0123456789")]
    [InlineData("function-key-012345678")]
    [InlineData("function-key-01234567890")]
    [InlineData("FUNCTION-KEY-0123456789")]
    [InlineData(" function-key-0123456789")]
    public void Null_empty_or_wrong_key_is_rejected(string? candidate)
    {
        var keys = Configured();

        Assert.False(keys.IsFunctionOrMaster(candidate));
        Assert.False(keys.IsMaster(candidate));
    }
}
