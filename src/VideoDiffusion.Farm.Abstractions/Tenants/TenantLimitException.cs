namespace VideoDiffusion.Farm.Abstractions;

/// <summary>Too many unfinished jobs for one tenant.</summary>
[GenerateSerializer]
public sealed class TenantLimitException(string message, int limit) : Exception(message)
{
    [Id(0)]
    public int Limit { get; } = limit;
}
