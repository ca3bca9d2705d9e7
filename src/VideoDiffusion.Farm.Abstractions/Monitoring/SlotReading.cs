namespace VideoDiffusion.Farm.Abstractions.Monitoring;

/// <summary>
/// One accelerator slot's busy share (time inside inference calls over wall time, 0 to 1): over the last
/// <see cref="NowSpan"/>, and over consecutive spans of <see cref="SeriesStep"/> for the last five minutes, oldest
/// first (fewer points while the silo is younger than that).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SlotReading([property: Id(0)] int Slot, [property: Id(1)] double Utilisation, [property: Id(2)] double[] Series)
{
    /// <summary>The span <see cref="Utilisation"/> covers.</summary>
    public static readonly TimeSpan NowSpan = TimeSpan.FromSeconds(10);

    /// <summary>The span of each point of <see cref="Series"/>.</summary>
    public static readonly TimeSpan SeriesStep = TimeSpan.FromSeconds(5);
}
