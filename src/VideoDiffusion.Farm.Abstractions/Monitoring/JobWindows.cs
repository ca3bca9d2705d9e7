namespace VideoDiffusion.Farm.Abstractions.Monitoring;

/// <summary>How many windows of one job (of one tenant) run on a silo.</summary>
[GenerateSerializer, Immutable]
public sealed record JobWindows([property: Id(0)] string JobId, [property: Id(1)] string Tenant, [property: Id(2)] int Windows);
