using FunctionsJobs.Core.Settings;
using FunctionsJobs.Core.Storage;
using Microsoft.Extensions.Configuration;

namespace FunctionsJobs.Core.Callbacks;

/// <summary>
/// The settings of completion callbacks and reply queues: names (the <c>%Name%</c> of Functions
/// attributes) and defaults in one place. Read once at start-up; a malformed value stops start-up
/// with one line naming it.
/// </summary>
public sealed record CallbackSettings
{
    public const string QueueNameSetting = "CallbacksQueueName";
    public const string DefaultQueueName = "callbacks";
    public const string DeadLettersTableSetting = "CallbacksDeadLettersTableName";
    public const string DefaultDeadLettersTable = "CallbackDeadLetters";
    public const string SigningSecretSetting = "CallbacksSigningSecret";
    public const string MaxAgeSetting = "CallbacksMaxAge";
    public const string FirstRetryDelaySetting = "CallbacksFirstRetryDelay";
    public const string MaxRetryDelaySetting = "CallbacksMaxRetryDelay";
    public const string TimeoutSetting = "CallbacksTimeout";
    public const string RecoveryDelaySetting = "CallbacksRecoveryDelay";
    public const string AllowPrivateNetworksSetting = "CallbacksAllowPrivateNetworks";
    public const string ReplyQueuePrefixSetting = "CallbacksReplyQueuePrefix";
    public const string MaxConcurrentPerHostSetting = "CallbacksMaxConcurrentPerHost";

    /// <summary>Days a dead letter is kept for an operator to look at or replay before the retention clean-up removes it.</summary>
    public const string DeadLettersRetentionDaysSetting = "RetentionCallbackDeadLettersDays";

    public const int DefaultDeadLettersRetentionDays = 30;

    /// <summary>A storage queue message lives 7 days at most; an event retried longer would vanish unseen.</summary>
    public static readonly TimeSpan LongestMaxAge = TimeSpan.FromDays(6);

    public string QueueName { get; init; } = DefaultQueueName;

    public string DeadLettersTable { get; init; } = DefaultDeadLettersTable;

    /// <summary>
    /// The <c>whsec_</c> keys that sign each callback, the first being current; more than one (space
    /// separated) sign together while receivers move to a new key. Empty: callback URLs are refused.
    /// </summary>
    public IReadOnlyList<byte[]> SigningKeys { get; init; } = [];

    /// <summary>How long an event is retried after it occurred, before it is dead-lettered.</summary>
    public TimeSpan MaxAge { get; init; } = TimeSpan.FromHours(24);

    /// <summary>The wait before the second try; each later wait doubles, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The most one try may take, connect to last response byte; Standard Webhooks suggests 15-30 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long an event stays hidden in the queue when its state change has not been confirmed:
    /// the time a crash between the two may delay its callback.
    /// </summary>
    public TimeSpan RecoveryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Allows plain http and any address (loopback, private networks): for local development only.
    /// Off, callbacks go to https URLs whose every address is public, checked at intake and on each connect.
    /// </summary>
    public bool AllowPrivateNetworks { get; init; }

    /// <summary>Reply queues must be named so: callers cannot name the app's own queues.</summary>
    public string ReplyQueuePrefix { get; init; } = "reply-";

    /// <summary>Tries in flight to one receiver (scheme, host, port) per process; past it, an event waits its turn without holding a worker.</summary>
    public int MaxConcurrentPerHost { get; init; } = 8;

    public bool CanSign => SigningKeys.Count > 0;

    public static CallbackSettings FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var defaults = new CallbackSettings();
        var settings = new CallbackSettings
        {
            QueueName = configuration.GetQueueName(QueueNameSetting, DefaultQueueName),
            DeadLettersTable = configuration.GetTableName(DeadLettersTableSetting, DefaultDeadLettersTable),
            SigningKeys = ReadKeys(configuration[SigningSecretSetting]),
            MaxAge = configuration.GetTimeSpan(MaxAgeSetting, defaults.MaxAge, TimeSpan.FromSeconds(1)),
            FirstRetryDelay = configuration.GetTimeSpan(FirstRetryDelaySetting, defaults.FirstRetryDelay, TimeSpan.FromMilliseconds(100)),
            MaxRetryDelay = configuration.GetTimeSpan(MaxRetryDelaySetting, defaults.MaxRetryDelay, TimeSpan.FromMilliseconds(100)),
            Timeout = configuration.GetTimeSpan(TimeoutSetting, defaults.Timeout, TimeSpan.FromMilliseconds(100)),
            RecoveryDelay = configuration.GetTimeSpan(RecoveryDelaySetting, defaults.RecoveryDelay, TimeSpan.FromSeconds(1)),
            AllowPrivateNetworks = configuration.GetBool(AllowPrivateNetworksSetting, defaults.AllowPrivateNetworks),
            ReplyQueuePrefix = configuration.GetName(ReplyQueuePrefixSetting, defaults.ReplyQueuePrefix, IsPrefix, "1-20 lowercase letters, digits and hyphens, starting with a letter"),
            MaxConcurrentPerHost = configuration.GetInt(MaxConcurrentPerHostSetting, defaults.MaxConcurrentPerHost, 1, 256),
        };

        if (settings.MaxAge > LongestMaxAge)
        {
            throw new InvalidSettingException(MaxAgeSetting, $"must be at most {LongestMaxAge} (a queue message lives 7 days), not {settings.MaxAge}");
        }

        if (settings.MaxRetryDelay < settings.FirstRetryDelay)
        {
            throw new InvalidSettingException(MaxRetryDelaySetting, $"must be at least {FirstRetryDelaySetting} ({settings.FirstRetryDelay}), not {settings.MaxRetryDelay}");
        }

        return settings;
    }

    /// <summary>
    /// The wait before try <paramref name="attempt"/> + 1: <see cref="FirstRetryDelay"/> doubled per
    /// try, capped, with ±20 % jitter so a receiver that failed many events at once is not hit by all again together.
    /// </summary>
    public TimeSpan RetryDelay(int attempt, double jitter)
    {
        var doublings = Math.Clamp(attempt - 1, 0, 30);
        var delay = Math.Min(FirstRetryDelay.TotalMilliseconds * Math.Pow(2, doublings), MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(delay * (0.8 + (0.4 * Math.Clamp(jitter, 0, 1))));
    }

    /// <summary>
    /// <c>whsec_</c> followed by the base64 of 24 to 64 random bytes, as Standard Webhooks serializes
    /// a symmetric key; several separated by spaces. Absent or blank: none (callback URLs refused).
    /// </summary>
    internal static IReadOnlyList<byte[]> ReadKeys(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return [];
        }

        var keys = new List<byte[]>();
        foreach (var part in value.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            byte[]? key = null;
            if (part.StartsWith(WebhookSigner.SecretPrefix, StringComparison.Ordinal))
            {
                try
                {
                    key = Convert.FromBase64String(part[WebhookSigner.SecretPrefix.Length..]);
                }
                catch (FormatException)
                {
                    key = null;
                }
            }

            // The value is a secret: the message never echoes it.
            if (key is not { Length: >= 24 and <= 64 })
            {
                throw new InvalidSettingException(SigningSecretSetting, $"must be one or more keys written as whsec_ and the base64 of 24 to 64 random bytes (key {keys.Count + 1} is not)");
            }

            keys.Add(key);
        }

        return keys;
    }

    private static bool IsPrefix(string value) =>
        value.Length is >= 1 and <= 20 && char.IsAsciiLetterLower(value[0]) && value.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');
}
