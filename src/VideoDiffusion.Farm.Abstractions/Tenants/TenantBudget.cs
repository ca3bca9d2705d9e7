namespace VideoDiffusion.Farm.Abstractions;

/// <summary>
/// What one tenant's jobs may cost: window-steps (denoiser work) and output pixels (frames × width × height after
/// scaling: decoding, encoding and storage), per job and summed over its unfinished jobs; 0 means no limit.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TenantBudget(
    [property: Id(0)] long MaxWindowStepsPerJob,
    [property: Id(1)] long MaxOutputPixelsPerJob,
    [property: Id(2)] long MaxWindowStepsInFlight,
    [property: Id(3)] long MaxOutputPixelsInFlight);
