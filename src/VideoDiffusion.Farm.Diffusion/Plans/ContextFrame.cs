namespace VideoDiffusion.Farm.Diffusion.Plans;

/// <summary>
/// One clean frame a window starts with, taken from a finished window: frame <paramref name="FromFrame"/> of
/// <paramref name="From"/> (a keyframe of its anchor pass, or its chained predecessor's tail) is its frame <paramref name="Frame"/>.
/// </summary>
public readonly record struct ContextFrame(WindowRef From, int FromFrame, int Frame);

/// <summary>Frame <paramref name="frame"/> of the finished latents of <paramref name="window"/>.</summary>
public delegate ReadOnlySpan<float> FinishedFrame(WindowRef window, int frame);
