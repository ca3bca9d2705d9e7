namespace VideoDiffusion.Farm.Silo.Kubernetes;

/// <summary>
/// Turns successive looks at the denoise executor into the pod-deletion cost to publish: a value only when it differs
/// from the one the pod carries, so the API server is asked only on a change (and again after a failed patch).
/// </summary>
public sealed class PodDeletionCostTracker(long windowStepsAtStart)
{
    private long _lastWindowSteps = windowStepsAtStart;
    private int? _published;

    /// <summary>The cost to patch now, or null when the pod already carries it.</summary>
    public int? Look(int queuedWindowSteps, long windowStepsDenoised)
    {
        var cost = PodDeletionCost.For(queuedWindowSteps, windowStepsDenoised - _lastWindowSteps);
        _lastWindowSteps = windowStepsDenoised;
        return cost == _published ? null : cost;
    }

    /// <summary>Records that the pod now carries <paramref name="cost"/>.</summary>
    public void Published(int cost) => _published = cost;
}
