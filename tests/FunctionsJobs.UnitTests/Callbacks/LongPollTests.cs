using FunctionsJobs.Http.Callbacks;
using Microsoft.AspNetCore.Http;

namespace FunctionsJobs.UnitTests.Callbacks;

public sealed class LongPollTests
{
    [Theory]
    [InlineData("wait=5", 5)]
    [InlineData("WAIT=0", 0)]
    [InlineData("respond-async, wait=30", 30)]
    [InlineData("wait=\"7\"", 7)]
    [InlineData("wait = 3; foo=bar", 3)]
    [InlineData("return=minimal", null)]
    public void Reads_the_wait_preference_among_others(string prefer, int? seconds)
    {
        var problem = LongPoll.Read(Request(prefer), out var wait);

        Assert.Null(problem);
        Assert.Equal(seconds is null ? null : TimeSpan.FromSeconds(seconds.Value), wait);
    }

    [Theory]
    [InlineData("wait=31")]
    [InlineData("wait=120")]
    [InlineData("wait=-1")]
    [InlineData("wait=abc")]
    [InlineData("wait=1.5")]
    [InlineData("wait")]
    [InlineData("wait=")]
    public void A_malformed_or_too_long_wait_is_a_problem(string prefer)
    {
        Assert.NotNull(LongPoll.Read(Request(prefer), out var wait));
        Assert.Null(wait);
    }

    [Fact]
    public void No_Prefer_header_asks_for_no_wait()
    {
        Assert.Null(LongPoll.Read(new DefaultHttpContext().Request, out var wait));
        Assert.Null(wait);
    }

    [Fact]
    public void An_applied_wait_is_said_and_varies_the_answer()
    {
        var context = new DefaultHttpContext();

        LongPoll.Applied(context.Response, TimeSpan.FromSeconds(12));

        Assert.Equal("wait=12", context.Response.Headers["Preference-Applied"].ToString());
        Assert.Equal("Prefer", context.Response.Headers.Vary.ToString());
    }

    private static HttpRequest Request(string prefer)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers["Prefer"] = prefer;
        return context.Request;
    }
}
