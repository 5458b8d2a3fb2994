using System.Net;
using FunctionsJobs.Core.Callbacks;

namespace FunctionsJobs.UnitTests.Callbacks;

public sealed class CallbackAddressesTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.0.7")]
    [InlineData("0.0.0.0")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.254")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("169.254.0.1")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.255")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("255.255.255.255")]
    [InlineData("192.0.2.10")]
    [InlineData("198.18.0.1")]
    [InlineData("168.63.129.16")]
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("fe80::1")]
    [InlineData("fc00::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("ff02::1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::127.0.0.1")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("2002:7f00:1::1")]
    [InlineData("2001::1")]
    [InlineData("2001:db8::1")]
    public void Inside_loopback_private_link_local_and_reserved_ranges_are_refused(string address) =>
        Assert.False(CallbackAddresses.IsPublic(IPAddress.Parse(address)), address);

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("169.255.0.1")]
    [InlineData("168.63.129.17")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:80b::200e")]
    public void Public_unicast_addresses_are_allowed(string address) =>
        Assert.True(CallbackAddresses.IsPublic(IPAddress.Parse(address)), address);
}
