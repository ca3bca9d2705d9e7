namespace VideoDiffusion.Farm.Abstractions;

/// <summary>What a client needs to know of a model the cluster serves.</summary>
[GenerateSerializer, Immutable]
public sealed record ModelInfo(
    [property: Id(0)] string Name,
    [property: Id(1)] int Fps,
    [property: Id(2)] int Width,
    [property: Id(3)] int Height,
    [property: Id(4)] int Window,
    [property: Id(5)] int Overlap,
    [property: Id(6)] int Steps,
    [property: Id(7)] float Guidance,
    [property: Id(8)] bool Synthetic,
    [property: Id(9)] bool FirstFrame)
{
    /// <summary>The model's content hashes among the accelerator silos, with how many silos serve each (one entry for one silo).</summary>
    [Id(10)] public IReadOnlyList<ModelServing> Hashes { get; init; } = [];
}
