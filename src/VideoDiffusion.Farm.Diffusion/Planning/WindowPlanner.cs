namespace VideoDiffusion.Farm.Diffusion.Planning;

/// <summary>Splits a clip of latent frames into overlapping windows.</summary>
public static class WindowPlanner
{
    /// <summary>
    /// Windows of <paramref name="window"/> frames at stride window − overlap. The last window ends on the last frame:
    /// it starts one stride after its predecessor and is shorter than the others, so overlaps stay at the asked value and
    /// no frame is covered three times. If that remainder would be shorter than the model's minimum, it starts earlier.
    /// A clip shorter than a window is one window.
    /// </summary>
    public static WindowPlan Plan(int frames, int window, int overlap, int minWindow = 1)
    {
        if (frames <= 0)
        {
            throw new PlanException("frames", $"the clip must have at least one latent frame (got {frames})");
        }
        if (window <= 0)
        {
            throw new PlanException("window", $"window must be positive (got {window})");
        }
        if (overlap < 0)
        {
            throw new PlanException("overlap", $"overlap must not be negative (got {overlap})");
        }
        if (2 * overlap > window)
        {
            throw new PlanException("overlap", $"overlap {overlap} is more than half the window {window}; at most {window / 2}");
        }
        if (window < minWindow)
        {
            throw new PlanException("window", $"window {window} is shorter than the model's minimum {minWindow}");
        }
        if (frames < minWindow)
        {
            throw new PlanException("frames", $"the clip has {frames} latent frames, fewer than the model's minimum window {minWindow}");
        }
        var windows = new List<WindowSpan>();
        if (frames <= window)
        {
            windows.Add(new WindowSpan(0, 0, frames));
            return new WindowPlan(frames, window, overlap, windows);
        }
        var stride = window - overlap;
        var start = 0;
        while (start + window < frames)
        {
            windows.Add(new WindowSpan(windows.Count, start, window));
            start += stride;
        }
        // the remainder window, aligned to the end of the clip
        var length = frames - start;
        var minimum = Math.Max(minWindow, overlap + 1);
        if (length < minimum)
        {
            length = Math.Min(minimum, window);
            start = frames - length;
        }
        var previousEnd = windows.Count >= 2 ? windows[^2].End : 0;
        if (start < previousEnd)
        {
            throw new PlanException("overlap", $"cannot cover {frames} frames with window {window} and overlap {overlap} without a frame in three windows");
        }
        windows.Add(new WindowSpan(windows.Count, start, length));
        return new WindowPlan(frames, window, overlap, windows);
    }
}
