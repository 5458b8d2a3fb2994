using System.Security.Cryptography;
using System.Text;
using FunctionsJobs.Core.Settings;

namespace FunctionsJobs.Host.Http;

/// <summary>
/// The keys that guard HTTP routes, as in Functions: a function key (or the master key) for
/// <c>/api</c>, the master key for <c>/admin</c>. In Development a missing key is generated and
/// printed at start-up; elsewhere a missing key, or the key local.settings.sample.json publishes,
/// fails start-up.
/// </summary>
public sealed class FunctionKeys
{
    public const string FunctionKeySetting = "FunctionsJobs:FunctionKey";
    public const string MasterKeySetting = "FunctionsJobs:MasterKey";
    private const int MinimumLength = 16;

    /// <summary>The keys of local.settings.sample.json: public, so never accepted outside Development.</summary>
    public static readonly IReadOnlySet<string> SampleKeys = new HashSet<string>(StringComparer.Ordinal) { "local-dev-function-key-0001", "local-dev-master-key-00001" };

    private readonly byte[] _function;
    private readonly byte[] _master;
    private readonly byte[] _session;

    private FunctionKeys(string functionKey, string masterKey, bool generated)
    {
        FunctionKey = functionKey;
        MasterKey = masterKey;
        Generated = generated;
        _function = Encoding.UTF8.GetBytes(functionKey);
        _master = Encoding.UTF8.GetBytes(masterKey);

        // Derived, not the key itself: a leaked cookie does not reveal the master key, and a new
        // master key ends every session.
        SessionToken = Convert.ToBase64String(HMACSHA256.HashData(_master, "FunctionsJobs dashboard session"u8)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        _session = Encoding.UTF8.GetBytes(SessionToken);
    }

    public string FunctionKey { get; }

    public string MasterKey { get; }

    /// <summary>The dashboard's session cookie value: grants what the master key grants (<see cref="DashboardSession"/>).</summary>
    public string SessionToken { get; }

    /// <summary>True when at least one key was generated because Development had none.</summary>
    public bool Generated { get; }

    public static FunctionKeys FromConfiguration(IConfiguration configuration, bool isDevelopment)
    {
        var generated = false;
        string Read(string setting)
        {
            var value = configuration[setting];
            if (string.IsNullOrWhiteSpace(value))
            {
                if (!isDevelopment)
                {
                    throw new InvalidSettingException(setting, "is not set: outside Development every key must come from settings");
                }

                generated = true;
                return Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)).Replace('+', '-').Replace('/', '_');
            }

            if (value.Length < MinimumLength)
            {
                throw new InvalidSettingException(setting, $"must be at least {MinimumLength} characters long");
            }

            if (!isDevelopment && SampleKeys.Contains(value))
            {
                throw new InvalidSettingException(setting, "is the key published in local.settings.sample.json: outside Development set a secret of your own");
            }

            return value;
        }

        var function = Read(FunctionKeySetting);
        var master = Read(MasterKeySetting);
        if (function == master)
        {
            throw new InvalidSettingException(FunctionKeySetting, $"must differ from {MasterKeySetting}: the master key opens /admin");
        }

        return new FunctionKeys(function, master, generated);
    }

    public bool IsMaster(string? candidate) => Matches(candidate, _master);

    public bool IsSession(string? candidate) => Matches(candidate, _session);

    public bool IsFunctionOrMaster(string? candidate) => Matches(candidate, _function) || Matches(candidate, _master);

    private static bool Matches(string? candidate, byte[] key) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), key);
}
