namespace VideoDiffusion.Farm.Diffusion.Planning;

/// <summary>A window: latent frames [Start, Start + Length) of the clip.</summary>
public readonly record struct WindowSpan(int Index, int Start, int Length)
{
    public int End => Start + Length;
}

/// <summary>The windows covering a clip, in order; consecutive windows overlap, no frame is in more than two.</summary>
public sealed record WindowPlan(int Frames, int WindowLength, int Overlap, IReadOnlyList<WindowSpan> Windows)
{
    /// <summary>Frames shared by window i and window i + 1.</summary>
    public int OverlapAfter(int i) => i + 1 < Windows.Count ? Math.Max(0, Windows[i].End - Windows[i + 1].Start) : 0;

    /// <summary>The first window that covers a frame (the one whose value the stitched clip takes).</summary>
    public int OwnerOf(int frame)
    {
        for (var i = 0; i < Windows.Count; i++)
        {
            if (frame < Windows[i].End)
            {
                return i;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(frame));
    }
}
