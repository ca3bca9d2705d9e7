namespace VideoDiffusion.Farm.Grains.Execution;

/// <summary>Counters of a silo's denoise executor since start.</summary>
public sealed record ExecutorStatistics(int Slots, int Queued, long WindowSteps, long DenoiserCalls, long CancelledItems, TimeSpan BusyTime, TimeSpan Uptime)
{
    /// <summary>Busy time over wall time across slots: the accelerator utilisation.</summary>
    public double Utilisation => Uptime.TotalSeconds <= 0 || Slots == 0 ? 0 : BusyTime.TotalSeconds / (Uptime.TotalSeconds * Slots);
}
