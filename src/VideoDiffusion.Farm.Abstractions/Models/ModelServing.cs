namespace VideoDiffusion.Farm.Abstractions;

/// <summary>One content hash of a model (SHA-256 of its files, hex) and how many accelerator silos serve the model with it.</summary>
[GenerateSerializer, Immutable]
public sealed record ModelServing([property: Id(0)] string Hash, [property: Id(1)] int Silos);
