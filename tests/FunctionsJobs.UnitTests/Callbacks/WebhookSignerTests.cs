using System.Text;
using FunctionsJobs.Core.Callbacks;
using FunctionsJobs.Core.Settings;
using FunctionsJobs.Testing;

namespace FunctionsJobs.UnitTests.Callbacks;

public sealed class WebhookSignerTests
{
    // The test vector of the Standard Webhooks libraries.
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

    [Fact]
    public void Signs_the_Standard_Webhooks_test_vector()
    {
        var signer = new WebhookSigner(Settings(SpecSecret));

        var signature = signer.Sign("msg_p5jXN8AQM9LWM0D4loKWxJek", DateTimeOffset.FromUnixTimeSeconds(1614265330), Encoding.UTF8.GetBytes("{\"test\": 2432232314}"));

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void A_receiver_verifies_what_it_signs_and_refuses_a_changed_body_an_old_timestamp_or_another_key()
    {
        var signer = new WebhookSigner(Settings(SpecSecret));
        var verifier = new StandardWebhookVerifier(SpecSecret);
        var body = Encoding.UTF8.GetBytes("""{"id":"evt_1","type":"order.completed"}""");
        var now = DateTimeOffset.UtcNow;
        var timestamp = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = signer.Sign("evt_1", now, body);

        Assert.Null(verifier.Verify("evt_1", timestamp, signature, body, now));
        Assert.NotNull(verifier.Verify("evt_1", timestamp, signature, Encoding.UTF8.GetBytes("""{"id":"evt_1","type":"order.failed"}"""), now));
        Assert.NotNull(verifier.Verify("evt_2", timestamp, signature, body, now));
        Assert.NotNull(verifier.Verify("evt_1", timestamp, signature, body, now.AddMinutes(6)));
        Assert.NotNull(new StandardWebhookVerifier("whsec_" + Convert.ToBase64String(new byte[32])).Verify("evt_1", timestamp, signature, body, now));
    }

    [Fact]
    public void With_two_keys_each_signs_so_receivers_of_either_verify_during_a_rotation()
    {
        var newKey = "whsec_" + Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
        var signer = new WebhookSigner(Settings($"{newKey} {SpecSecret}"));
        var body = Encoding.UTF8.GetBytes("{}");
        var now = DateTimeOffset.UtcNow;
        var timestamp = now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var signature = signer.Sign("evt_1", now, body);

        Assert.Equal(2, signature.Split(' ').Length);
        Assert.Null(new StandardWebhookVerifier(newKey).Verify("evt_1", timestamp, signature, body, now));
        Assert.Null(new StandardWebhookVerifier(SpecSecret).Verify("evt_1", timestamp, signature, body, now));
    }

    [Theory]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    [InlineData("whsec_not base64!")]
    [InlineData("whsec_c2hvcnQ=")]
    [InlineData("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_")]
    public void A_secret_that_is_not_whsec_and_24_to_64_bytes_stops_start_up_without_echoing_it(string secret)
    {
        var error = Assert.Throws<InvalidSettingException>(() => Settings(secret));

        Assert.Contains(CallbackSettings.SigningSecretSetting, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("MfKQ9r8", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_secret_nothing_can_be_signed()
    {
        var settings = CallbackSettings.FromConfiguration(TestConfig.From());

        Assert.False(settings.CanSign);
        Assert.Throws<InvalidOperationException>(() => new WebhookSigner(settings).Sign("evt_1", DateTimeOffset.UtcNow, []));
    }

    private static CallbackSettings Settings(string secret) => CallbackSettings.FromConfiguration(TestConfig.From((CallbackSettings.SigningSecretSetting, secret)));
}
