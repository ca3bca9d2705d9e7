namespace VideoDiffusion.Farm.Abstractions;

/// <summary>
/// What a finished job produced. <see cref="DecodeSeconds"/>: from the start of the stitch until the last frame is
/// decoded (ffmpeg encodes meanwhile); <see cref="EncodeSeconds"/>: from then until the video is stored.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record JobResult(
    [property: Id(0)] string ArtifactKey,
    [property: Id(1)] string Location,
    [property: Id(2)] int Frames,
    [property: Id(3)] int Fps,
    [property: Id(4)] double SeamRatio,
    [property: Id(5)] double DecodeSeconds,
    [property: Id(6)] double EncodeSeconds);
