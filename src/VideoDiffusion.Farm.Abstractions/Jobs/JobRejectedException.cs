namespace VideoDiffusion.Farm.Abstractions;

/// <summary>A job refused at submission; <see cref="Field"/> names the offending input.</summary>
[GenerateSerializer]
public sealed class JobRejectedException(string field, string message) : Exception(message)
{
    [Id(0)]
    public string Field { get; } = field;
}
