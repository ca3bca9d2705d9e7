using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Diffusion.Plans;
using VideoDiffusion.Farm.Abstractions.Protocol;

namespace VideoDiffusion.Farm.Grains.Windows;

/// <summary>Maps a plan's window references to window grain keys and back.</summary>
public static class WindowKeys
{
    public static WindowKey Of(string jobId, WindowRef window) => new(jobId, window.Pass, window.Index);

    public static WindowRef Ref(this WindowKey key) => new(key.Pass, key.Index);
}
