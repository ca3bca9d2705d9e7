using Microsoft.Extensions.Options;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Gateway.Hosting;

namespace VideoDiffusion.Farm.Gateway.Jobs;

/// <summary>The models every accelerator silo serves, merged by any silo and kept a few seconds (submissions validate against it).</summary>
public sealed class ModelDirectory(IClusterClient client, IOptions<GatewayOptions> options)
{
    private static readonly TimeSpan KeepFor = TimeSpan.FromSeconds(5);
    private (DateTime At, IReadOnlyList<ModelInfo> Models)? _cached;

    /// <summary>Every model the cluster serves, synthetic ones included.</summary>
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

    /// <summary>The models tenants may ask for: synthetic ones only when the gateway offers them.</summary>
    public async Task<IReadOnlyList<ModelInfo>> OfferedAsync()
    {
        var models = await ListAsync();
        return options.Value.AllowSyntheticModels ? models : models.Where(m => !m.Synthetic).ToList();
    }
}
