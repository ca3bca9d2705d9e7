using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace VideoDiffusion.Farm.Grains.Placement;

/// <summary>Places a grain only on silos that declare accelerator slots.</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class AcceleratorPlacement : PlacementStrategy
{
    public static readonly AcceleratorPlacement Instance = new();

    /// <summary>Silo metadata key: accelerator slots of the silo.</summary>
    public const string SlotsKey = "farm.slots";

    /// <summary>Silo metadata key: comma-separated models the silo has loaded.</summary>
    public const string ModelsKey = "farm.models";

    /// <summary>Request-context key naming the model a window needs (set by the job grain before the first call).</summary>
    public const string ModelContextKey = "farm.model";
}

/// <summary>Marks a grain class for <see cref="AcceleratorPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class AcceleratorPlacementAttribute() : PlacementAttribute(AcceleratorPlacement.Instance);

/// <summary>
/// Chooses among silos with accelerator slots, preferring those that have the window's model loaded, then the one with
/// the fewest windows placed per slot (counted by this director: a proxy for free slots that needs no extra messages).
/// Silos without slots, such as gateways, never get a window.
/// </summary>
public sealed class AcceleratorPlacementDirector(ISiloMetadataCache metadata, ILogger<AcceleratorPlacementDirector> logger) : IPlacementDirector
{
    private readonly ConcurrentDictionary<SiloAddress, long> _placed = new();

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var model = target.RequestContextData is { } data && data.TryGetValue(AcceleratorPlacement.ModelContextKey, out var m) ? m as string : null;
        var candidates = context.GetCompatibleSilos(target)
            .Select(silo => (Silo: silo, Slots: SlotsOf(silo), Models: ModelsOf(silo)))
            .Where(c => c.Slots > 0)
            .ToList();
        if (candidates.Count == 0)
        {
            throw new OrleansException("no silo with accelerator slots is available for " + target.GrainIdentity);
        }
        if (model is not null && candidates.Any(c => c.Models.Contains(model)))
        {
            candidates = candidates.Where(c => c.Models.Contains(model)).ToList();
        }
        var chosen = candidates
            .OrderBy(c => (double)_placed.GetValueOrDefault(c.Silo) / c.Slots)
            .ThenBy(c => c.Silo.ToString(), StringComparer.Ordinal)
            .First().Silo;
        _placed.AddOrUpdate(chosen, 1, (_, n) => n + 1);
        logger.LogDebug("placed {Grain} on {Silo}", target.GrainIdentity, chosen);
        return Task.FromResult(chosen);
    }

    private int SlotsOf(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(AcceleratorPlacement.SlotsKey, out var s) && int.TryParse(s, out var n) ? n : 0;

    private HashSet<string> ModelsOf(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(AcceleratorPlacement.ModelsKey, out var s)
            ? s.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet()
            : [];
}
