namespace VideoDiffusion.Farm.Abstractions.Protocol;

/// <summary>Fuses a job's final window latents, decodes, encodes and stores the video.</summary>
public interface IStitcherGrain : IGrainWithStringKey
{
    /// <summary>Starts stitching in the background and reports to the job grain.</summary>
    Task Stitch();

    /// <summary>Stops stitching; no video is stored (the job was cancelled).</summary>
    [Orleans.Concurrency.OneWay]
    Task Cancel();
}
