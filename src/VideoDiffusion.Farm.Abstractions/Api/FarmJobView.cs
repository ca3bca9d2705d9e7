namespace VideoDiffusion.Farm.Abstractions.Api;

/// <summary>One of the caller's running jobs: its windows running now, in all and per silo.</summary>
public sealed record FarmJobView
{
    public required string Id { get; init; }
    public int RunningWindows { get; init; }
    public IReadOnlyDictionary<string, int> Silos { get; init; } = new Dictionary<string, int>();
}
