using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using VideoDiffusion.Farm.Abstractions;
using VideoDiffusion.Farm.Abstractions.Monitoring;

namespace VideoDiffusion.Farm.Grains.Placement;

/// <summary>
/// Which silos serve which model content hash, from the silos' metadata (<see cref="AcceleratorPlacement.ModelHashesKey"/>,
/// written once when a silo starts) or, for a silo whose metadata this silo has not fetched, from its latest farm report
/// (<see cref="FarmLoad.ReportedModels"/>).
/// Orleans fetches a joining silo's metadata once per membership change and does not retry a failed fetch for a while,
/// so without the reports a silo that joined under load could be refused windows for the rest of a job. Placement,
/// window moves and the job grain ask it; one per silo.
/// </summary>
public sealed class ModelServers(ISiloMetadataCache metadata, IClusterMembershipService membership, FarmLoad load)
{
    /// <summary>The metadata value for the models a silo serves: <c>name=hash</c> pairs joined by commas.</summary>
    public static string Encode(IEnumerable<ModelInfo> served) =>
        string.Join(',', served.SelectMany(m => m.Hashes.Select(h => $"{m.Name}={h.Hash}")));

    /// <summary>Whether <paramref name="silo"/> serves <paramref name="model"/> with content hash <paramref name="hash"/> (any silo does when the hash is empty).</summary>
    public bool Serves(SiloAddress silo, string model, string hash) =>
        string.IsNullOrEmpty(hash)
        || ((metadata.GetSiloMetadata(silo).Metadata.TryGetValue(AcceleratorPlacement.ModelHashesKey, out var value) || (value = load.ReportedModels(silo)) is not null)
            && value.Split(',', StringSplitOptions.RemoveEmptyEntries).Contains($"{model}={hash}", StringComparer.Ordinal));

    /// <summary>Whether an active silo serves <paramref name="model"/> with content hash <paramref name="hash"/>.</summary>
    public bool AnyServes(string model, string hash) =>
        membership.CurrentSnapshot.Members.Values.Any(m => m.Status == SiloStatus.Active && Serves(m.SiloAddress, model, hash));

    /// <summary>The reason a job's windows wait when no active silo serves its model's content hash.</summary>
    public static string NotServed(string model, string hash) =>
        $"no accelerator silo serves model '{model}' with content hash {hash}; the job's windows wait until one does";
}
