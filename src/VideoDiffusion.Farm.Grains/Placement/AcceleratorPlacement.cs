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

    /// <summary>Silo metadata key: the content hash of each model the silo serves (see <see cref="ModelServers.Encode"/>).</summary>
    public const string ModelHashesKey = "farm.model_hashes";

    /// <summary>Request-context key naming the model a window needs (set by the job grain before the first call).</summary>
    public const string ModelContextKey = "farm.model";

    /// <summary>Request-context key: the content hash of the job's model; only silos serving it get the job's grains.</summary>
    public const string ModelHashContextKey = "farm.model_hash";

    /// <summary>Request-context key: the blocks the placed window goes by (<see cref="PassBlocks.Describe"/>; neighbours are placed together).</summary>
    public const string BlocksContextKey = "farm.blocks";
}

/// <summary>Marks a grain class for <see cref="AcceleratorPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class AcceleratorPlacementAttribute() : PlacementAttribute(AcceleratorPlacement.Instance);

/// <summary>
/// Chooses among silos with accelerator slots that are not stopping and that serve the job's model content hash when
/// the call names one (no other silo gets the grain: its model would render other bytes), preferring those that have
/// the window's model loaded, then the one with the fewest running windows per open slot (<see cref="FarmLoad"/>: the silos' last reports plus
/// what was placed since; a slot running a keyframe chain is not open), so the window-steps each silo runs per step stay even. The windows of one pass go in
/// contiguous blocks (<see cref="PassBlocks"/>), so most overlaps are exchanged within a silo, until a silo joins during
/// the job. A placement hint (a
/// window moving to a chosen silo) wins when that silo is compatible and serves the hash. Silos without slots, such as gateways, never get
/// a window.
/// </summary>
public sealed class AcceleratorPlacementDirector(
    ISiloMetadataCache metadata, ModelServers servers, FarmLoad load, ILocalSiloDetails local, ILogger<AcceleratorPlacementDirector> logger) : IPlacementDirector
{
    private readonly PassBlocks _blocks = new();
    private readonly object _ranking = new();

    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        var compatible = context.GetCompatibleSilos(target);
        var model = ContextValue(target, AcceleratorPlacement.ModelContextKey);
        var hash = ContextValue(target, AcceleratorPlacement.ModelHashContextKey) ?? "";
        var serves = (SiloAddress silo) => model is null || servers.Serves(silo, model, hash);
        if (IPlacementDirector.GetPlacementHint(target.RequestContextData, compatible) is { } hint && SlotsOf(hint) > 0 && serves(hint))
        {
            load.Added(hint);
            return Task.FromResult(hint);
        }
        if (target.RequestContextData?.TryGetValue(IPlacementDirector.PlacementHintKey, out var asked) == true && asked is SiloAddress refused)
        {
            // a window moving to a silo this one does not yet know as compatible, with slots, serving the model
            logger.LogInformation("{Grain}: not placed on {Silo} as asked (compatible {Compatible}, slots {Slots}, serves the model {Serves})",
                target.GrainIdentity, refused, compatible.Contains(refused), SlotsOf(refused), serves(refused));
        }
        var candidates = compatible
            .Select(silo => (Silo: silo, Slots: SlotsOf(silo), Models: ModelsOf(silo)))
            .Where(c => c.Slots > 0)
            .ToList();
        if (candidates.Count == 0)
        {
            throw new OrleansException("no silo with accelerator slots is available for " + target.GrainIdentity);
        }
        candidates = candidates.Where(c => serves(c.Silo)).ToList();
        if (candidates.Count == 0)
        {
            throw new OrleansException(ModelServers.NotServed(model!, hash));
        }
        var open = candidates.Where(c => !IsDraining(c.Silo)).ToList();
        if (open.Count > 0)
        {
            candidates = open;
        }
        if (model is not null && candidates.Any(c => c.Models.Contains(model)))
        {
            candidates = candidates.Where(c => c.Models.Contains(model)).ToList();
        }
        SiloAddress chosen;
        // Orleans places activations on several workers at once: ranking and counting under one lock keeps two
        // windows placed together from both taking the silo that was least loaded before either
        lock (_ranking)
        {
            var byLoad = candidates
                .OrderBy(c => load.WindowsPerOpenSlot(c.Silo, c.Slots))
                .ThenBy(c => c.Silo.ToString(), StringComparer.Ordinal)
                .Select(c => c.Silo)
                .ToList();
            chosen = _blocks.Choose(target, byLoad, load.ScaledJobs) ?? byLoad[0];
            load.Added(chosen);
        }
        logger.LogDebug("placed {Grain} on {Silo}", target.GrainIdentity, chosen);
        return Task.FromResult(chosen);
    }

    private static string? ContextValue(PlacementTarget target, string key) =>
        target.RequestContextData is { } data && data.TryGetValue(key, out var value) ? value as string : null;

    private bool IsDraining(SiloAddress silo) => silo.Equals(local.SiloAddress) ? load.Draining : load.IsDraining(silo);

    /// <summary>The slots in the silo's metadata, or in its latest report while its metadata has not arrived (see <see cref="ModelServers"/>).</summary>
    private int SlotsOf(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(AcceleratorPlacement.SlotsKey, out var s) && int.TryParse(s, out var n) ? n : load.Slots(silo);

    private HashSet<string> ModelsOf(SiloAddress silo) =>
        metadata.GetSiloMetadata(silo).Metadata.TryGetValue(AcceleratorPlacement.ModelsKey, out var s)
            ? s.Split(',', StringSplitOptions.RemoveEmptyEntries).ToHashSet()
            : [];
}
