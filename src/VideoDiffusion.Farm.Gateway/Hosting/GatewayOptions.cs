using VideoDiffusion.Farm.Abstractions;

namespace VideoDiffusion.Farm.Gateway.Hosting;

/// <summary>Keys, tenancy and quotas of the gateway (configuration section <c>Farm:Gateway</c>).</summary>
public sealed class GatewayOptions
{
    /// <summary>API keys, stored as SHA-256 hashes, each mapped to a tenant.</summary>
    public List<ApiKeyEntry> ApiKeys { get; set; } = [];

    /// <summary>Longest clip a request may ask for.</summary>
    public double MaxSeconds { get; set; } = 600;

    /// <summary>Unfinished jobs one tenant may have; submissions beyond get 429.</summary>
    public int MaxUnfinishedJobsPerTenant { get; set; } = 4;

    /// <summary>Largest request body accepted (413 beyond).</summary>
    public long MaxBodyBytes { get; set; } = 64 * 1024;

    public int MaxPromptLength { get; set; } = 500;

    public int MaxStoryboardSegments { get; set; } = 100;

    /// <summary>How often the event stream looks at a job.</summary>
    public TimeSpan EventPollInterval { get; set; } = TimeSpan.FromMilliseconds(400);

    /// <summary>Event streams one tenant may hold open on this gateway at once; more get 429.</summary>
    public int MaxEventStreamsPerTenant { get; set; } = 8;

    /// <summary>Longest life of one event stream; it then ends and the client reconnects.</summary>
    public TimeSpan MaxEventStreamDuration { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long an <c>Idempotency-Key</c> is remembered; older keys start a new job.</summary>
    public TimeSpan IdempotencyKeyLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Idempotency keys remembered per tenant; beyond this the oldest are forgotten first.</summary>
    public int IdempotencyKeysKept { get; set; } = 10_000;

    /// <summary>Offer models whose manifest says <c>synthetic</c> (benchmark models that render noise).</summary>
    public bool AllowSyntheticModels { get; set; }

    /// <summary>
    /// Highest priority a submission runs at unless its API key says otherwise (<see cref="ApiKeyEntry.MaxPriority"/>);
    /// a higher <c>priority</c> is lowered to it. Within one priority the executors share slots fairly between tenants.
    /// </summary>
    public int MaxPriority { get; set; }

    /// <summary>
    /// SHA-256 (hex) of the operator key that opens the operator's pages (<c>/dashboard</c>); without it those pages are
    /// not served, even with <c>Farm:Dashboard=true</c>.
    /// </summary>
    public string? OperatorKeySha256 { get; set; }

    /// <summary>What the tenant grain checks a submission against.</summary>
    public AdmissionLimits ToAdmissionLimits() => new(MaxUnfinishedJobsPerTenant, IdempotencyKeyLifetime, IdempotencyKeysKept,
        new TenantBudget(Budget.MaxWindowStepsPerJob, Budget.MaxOutputPixelsPerJob, Budget.MaxWindowStepsInFlight, Budget.MaxOutputPixelsInFlight));

    /// <summary>What one tenant's jobs may cost (<c>Farm:Gateway:Budget</c>).</summary>
    public BudgetOptions Budget { get; set; } = new();
}
