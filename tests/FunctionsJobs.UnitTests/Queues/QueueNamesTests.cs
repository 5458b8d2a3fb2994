using FunctionsJobs.Core.Storage;
using FunctionsJobs.Host.Queues;

namespace FunctionsJobs.UnitTests.Queues;

public sealed class QueueNamesTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("orders")]
    [InlineData("order-events")]
    [InlineData("a-b-c")]
    [InlineData("123")]
    [InlineData("thumbnails2")]
    public void Valid_names(string name)
    {
        Assert.True(StorageNames.IsQueueName(name));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ab")]
    [InlineData("Orders")]
    [InlineData("-orders")]
    [InlineData("orders-")]
    [InlineData("ord--ers")]
    [InlineData("ord_ers")]
    [InlineData("ord ers")]
    [InlineData("ordérs")]
    [InlineData("orders.eu")]
    public void Invalid_names(string name)
    {
        Assert.False(StorageNames.IsQueueName(name));
    }

    [Fact]
    public void Length_leaves_room_for_the_poison_suffix()
    {
        var longest = new string('a', 56);
        var tooLong = new string('a', 57);

        Assert.True(StorageNames.IsQueueName(longest));
        Assert.False(StorageNames.IsQueueName(tooLong));
        Assert.True(StorageNames.IsQueueName(PoisonQueue.NameFor(longest), maxLength: 63));
        Assert.False(StorageNames.IsQueueName(new string('a', 64), maxLength: 63));
    }

    [Fact]
    public void Poison_queue_name_appends_the_suffix()
    {
        Assert.Equal("orders-poison", PoisonQueue.NameFor("orders"));
    }
}
