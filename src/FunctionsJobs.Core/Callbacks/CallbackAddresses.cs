using System.Net;
using System.Net.Sockets;

namespace FunctionsJobs.Core.Callbacks;

/// <summary>
/// Which IP addresses a callback may connect to: public unicast only. Refused: loopback, private
/// (RFC 1918), link-local (and with it the 169.254.169.254 metadata service), CGNAT, unique-local,
/// multicast, documentation, benchmarking and reserved ranges, Azure's platform address
/// 168.63.129.16, and IPv6 forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo).
/// </summary>
public static class CallbackAddresses
{
    private static readonly (uint Network, int Bits)[] RefusedV4 =
    [
        (V4(0, 0, 0, 0), 8),         // "this network"
        (V4(10, 0, 0, 0), 8),        // private
        (V4(100, 64, 0, 0), 10),     // CGNAT (shared address space)
        (V4(127, 0, 0, 0), 8),       // loopback
        (V4(169, 254, 0, 0), 16),    // link-local: cloud metadata services live here
        (V4(172, 16, 0, 0), 12),     // private
        (V4(192, 0, 0, 0), 24),      // IETF protocol assignments
        (V4(192, 0, 2, 0), 24),      // documentation
        (V4(192, 88, 99, 0), 24),    // 6to4 relay anycast
        (V4(192, 168, 0, 0), 16),    // private
        (V4(198, 18, 0, 0), 15),     // benchmarking
        (V4(198, 51, 100, 0), 24),   // documentation
        (V4(203, 0, 113, 0), 24),    // documentation
        (V4(224, 0, 0, 0), 4),       // multicast
        (V4(240, 0, 0, 0), 4),       // reserved, and the broadcast address
        (V4(168, 63, 129, 16), 32),  // Azure's platform endpoint (DHCP, DNS, health)
    ];

    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> bytes = stackalloc byte[4];
            address.TryWriteBytes(bytes, out _);
            var value = (uint)((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]);
            return !RefusedV4.Any(range => (value & Mask(range.Bits)) == range.Network);
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        Span<byte> v6 = stackalloc byte[16];
        address.TryWriteBytes(v6, out _);

        // Global unicast is 2000::/3; everything else (::, ::1, IPv4-compatible, NAT64 64:ff9b::/96,
        // unique-local fc00::/7, link-local fe80::/10, multicast ff00::/8) is not public.
        if ((v6[0] & 0xE0) != 0x20)
        {
            return false;
        }

        var first16 = (v6[0] << 8) | v6[1];
        var second16 = (v6[2] << 8) | v6[3];
        return !(first16 == 0x2001 && second16 < 0x0200)       // 2001::/23 protocol assignments, Teredo 2001::/32
            && !(first16 == 0x2001 && second16 == 0x0db8)      // documentation
            && first16 != 0x2002                               // 6to4: an IPv4 address inside
            && !(first16 == 0x3fff && second16 < 0x1000);      // documentation (3fff::/20)
    }

    private static uint V4(byte a, byte b, byte c, byte d) => (uint)((a << 24) | (b << 16) | (c << 8) | d);

    private static uint Mask(int bits) => bits == 0 ? 0 : uint.MaxValue << (32 - bits);
}
