using VideoDiffusion.Farm.Diffusion.Fusion;
using VideoDiffusion.Farm.Diffusion.Planning;
using VideoDiffusion.Farm.Diffusion.Tensors;

namespace VideoDiffusion.Farm.Diffusion.Rendering;

/// <summary>Fuses the overlaps of neighbouring windows and lays the windows out as one clip.</summary>
public static class ClipAssembler
{
    /// <summary>Replaces both copies of every shared frame by their weighted mean.</summary>
    public static void FuseOverlaps(WindowPlan plan, IReadOnlyList<WindowState> windows, BlendMode mode)
    {
        for (var i = 0; i + 1 < windows.Count; i++)
        {
            FusePair(plan, windows[i].Latents, windows[i + 1].Latents, i, mode);
        }
    }

    /// <summary>Fuses the overlap of window i (left) and window i + 1 (right) in place on both.</summary>
    public static void FusePair(WindowPlan plan, LatentTensor left, LatentTensor right, int leftIndex, BlendMode mode)
    {
        var overlap = plan.OverlapAfter(leftIndex);
        if (overlap == 0)
        {
            return;
        }
        var leftFrames = left.FrameRange(left.Frames - overlap, overlap);
        var fused = new float[leftFrames.Length];
        OverlapFusion.Fuse(leftFrames, right.FrameRange(0, overlap), fused, overlap, mode);
        fused.CopyTo(leftFrames);
        fused.CopyTo(right.FrameRange(0, overlap));
    }

    /// <summary>
    /// Fuses this window's copy of the frames it shares with one neighbour, given the neighbour's copy: what a window
    /// that holds only its own latents does (both sides compute the same weighted mean).
    /// </summary>
    public static void FuseWithNeighbour(LatentTensor window, ReadOnlySpan<float> neighbourFrames, int overlap, bool neighbourIsLeft, BlendMode mode)
    {
        // in place: the fusion is element by element, so each value is read before it is written
        var mine = EdgeFrames(window, overlap, neighbourIsLeft);
        if (neighbourIsLeft)
        {
            OverlapFusion.Fuse(neighbourFrames, mine, mine, overlap, mode);
        }
        else
        {
            OverlapFusion.Fuse(mine, neighbourFrames, mine, overlap, mode);
        }
    }

    /// <summary>The frames a window shares with its left (first frames) or right (last frames) neighbour.</summary>
    public static Span<float> EdgeFrames(LatentTensor window, int overlap, bool left) =>
        left ? window.FrameRange(0, overlap) : window.FrameRange(window.Frames - overlap, overlap);

    /// <summary>Which frames of which window the clip takes: each frame from the first window that covers it.</summary>
    public static IEnumerable<(int Window, int LocalStart, int Count, int ClipStart)> Segments(WindowPlan plan)
    {
        var next = 0;
        foreach (var span in plan.Windows)
        {
            var count = span.End - next;
            if (count > 0)
            {
                yield return (span.Index, next - span.Start, count, next);
                next = span.End;
            }
        }
    }

    /// <summary>The clip's latents laid out from its windows.</summary>
    public static LatentTensor Assemble(WindowPlan plan, IReadOnlyList<LatentTensor> windows)
    {
        var first = windows[0];
        var clip = new LatentTensor(plan.Frames, first.Channels, first.Height, first.Width);
        foreach (var (window, localStart, count, clipStart) in Segments(plan))
        {
            clip.SetFrames(clipStart, windows[window].FrameRange(localStart, count));
        }
        return clip;
    }
}
