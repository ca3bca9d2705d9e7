namespace VideoDiffusion.Farm.Diffusion.Planning;

/// <summary>A render request that cannot be planned; <see cref="Field"/> names the offending input.</summary>
public sealed class PlanException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}
