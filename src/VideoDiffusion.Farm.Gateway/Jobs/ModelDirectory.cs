using VideoDiffusion.Farm.Abstractions;

namespace VideoDiffusion.Farm.Gateway.Jobs;

/// <summary>The cluster's models, asked of any silo and kept for a short while (submissions validate against it).</summary>
public sealed class ModelDirectory(IClusterClient client)
{
    private static readonly TimeSpan KeepFor = TimeSpan.FromSeconds(30);
    private (DateTime At, IReadOnlyList<ModelInfo> Models)? _cached;

    public async Task<IReadOnlyList<ModelInfo>> ListAsync()
    {
        if (_cached is { } c && DateTime.UtcNow - c.At < KeepFor && c.Models.Count > 0)
        {
            return c.Models;
        }
        var models = await client.GetGrain<IModelDirectoryGrain>(0).List();
        _cached = (DateTime.UtcNow, models);
        return models;
    }
}
