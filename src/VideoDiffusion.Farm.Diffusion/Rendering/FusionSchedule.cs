namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>When the windows of a pass fuse their overlaps: every <paramref name="SyncEvery"/> steps, and/or once at the end.</summary>
/// <param name="SyncEvery">Fuse overlaps every this many steps during sampling; 0 = never during sampling.</param>
/// <param name="FuseAtEnd">Fuse overlaps once after sampling when the last step was not a sync point.</param>
public sealed record FusionSchedule(int SyncEvery, bool FuseAtEnd)
{
    /// <summary>Windows that never fuse (chained windows, a lone first frame).</summary>
    public static readonly FusionSchedule Never = new(0, false);

    /// <summary>Fusion after step <paramref name="step"/> (0-based) during sampling.</summary>
    public bool SyncsAfter(int step) => SyncEvery > 0 && (step + 1) % SyncEvery == 0;

    /// <summary>Whether a last fusion follows sampling of <paramref name="steps"/> steps.</summary>
    public bool FusesAfterSampling(int steps) => FuseAtEnd && (SyncEvery == 0 || steps % SyncEvery != 0);

    /// <summary>Whether windows exchange overlap frames at all.</summary>
    public bool Fuses => SyncEvery > 0 || FuseAtEnd;
}
