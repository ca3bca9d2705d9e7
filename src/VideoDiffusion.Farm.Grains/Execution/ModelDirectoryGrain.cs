using Orleans.Concurrency;
using Orleans.Runtime;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Monitoring;

namespace VideoDiffusion.Farm.Grains.Execution;

/// <summary>
/// Lists the models every accelerator silo serves: the farm monitor's latest reports (each names its silo's models and
/// their content hashes), with this silo's own list in place of its report, so a silo that has not reported yet still
/// answers with what it serves itself.
/// </summary>
[StatelessWorker]
public sealed class ModelDirectoryGrain(ModelCatalog catalog, ILocalSiloDetails local) : Grain, IModelDirectoryGrain
{
    public async Task<IReadOnlyList<ModelInfo>> List()
    {
        var reports = await GrainFactory.GetGrain<IFarmMonitorGrain>(0).Silos();
        return Merge(reports.Where(r => !r.Address.Equals(local.SiloAddress)).Select(r => r.Models).Append(catalog.Served()));
    }

    /// <summary>
    /// One entry per model name: its hashes with the number of silos serving each (most served first), and the defaults
    /// of the most served hash's silos.
    /// </summary>
    public static IReadOnlyList<ModelInfo> Merge(IEnumerable<IReadOnlyList<ModelInfo>> silos) =>
        silos.SelectMany(models => models)
            .GroupBy(m => m.Name, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var hashes = g.SelectMany(m => m.Hashes)
                    .GroupBy(h => h.Hash, StringComparer.Ordinal)
                    .Select(h => new ModelServing(h.Key, h.Sum(s => s.Silos)))
                    .OrderByDescending(h => h.Silos).ThenBy(h => h.Hash, StringComparer.Ordinal)
                    .ToList();
                var first = g.FirstOrDefault(m => m.Hashes.Any(h => h.Hash == hashes.FirstOrDefault()?.Hash)) ?? g.First();
                return first with { Hashes = hashes };
            })
            .ToList();
}
