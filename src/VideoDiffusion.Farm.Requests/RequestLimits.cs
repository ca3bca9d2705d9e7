namespace VideoDiffusion.Farm.Requests;

/// <summary>
/// The bounds of a render request, checked once, by the core when it resolves the request against the model. The
/// gateway adds only its tenancy quotas (clip length, prompt length, segment count, priority).
/// </summary>
public static class RequestLimits
{
    public const int MaxFps = 60;

    public const int MaxSteps = 200;

    /// <summary>Longest clip the core renders; a gateway may allow less.</summary>
    public const double MaxSeconds = 3600;

    public const float MaxGuidance = 50;

    public const float MaxGuidanceFocus = 8;

    /// <summary>Pixel upscale factor of the encoded video.</summary>
    public const int MaxScale = 16;

    public const int MinPriority = -10;

    public const int MaxPriority = 10;
}
